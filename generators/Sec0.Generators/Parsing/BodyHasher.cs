using System.IO;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.CodeAnalysis;

namespace Sec0.Generators.Parsing;

/// <summary>
/// The compile-time body hash: SHA-256 over a method declaration's tokens, trivia ignored (comments,
/// whitespace, directives, doc comments), attributes, modifiers, signature and body included.
/// </summary>
/// <remarks>
/// Input bytes: the UTF-8 scheme tag <c>sec0-body-v1</c>, then per token its raw kind (int32 LE), the
/// UTF-8 byte length of its text (int32 LE) and the text. Length-prefixing keeps the encoding
/// unambiguous (<c>a b</c> vs <c>ab</c>). Output: <c>sha256:v1:&lt;64 lowercase hex&gt;</c>.
/// </remarks>
internal static class BodyHasher
{
    public const string SchemeTag = "sec0-body-v1";
    public const string Prefix = "sha256:v1:";

    // Syntax trees of unchanged files are the same objects across compilations, so a declaration's hash
    // is computed once per edit of its file, though the transform runs again for every compilation.
    private static readonly ConditionalWeakTable<SyntaxNode, string> s_cache = new();

    public static string Compute(SyntaxNode node) => s_cache.GetValue(node, static n => ComputeCore(n));

    public static string Compute(params SyntaxNode[] nodes) => nodes.Length == 1 ? Compute(nodes[0]) : ComputeCore(nodes);

    private static string ComputeCore(params SyntaxNode[] nodes)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Encoding.UTF8.GetBytes(SchemeTag));
            foreach (var node in nodes)
            {
                foreach (var token in node.DescendantTokens())
                {
                    var text = Encoding.UTF8.GetBytes(token.Text);
                    writer.Write(token.RawKind);
                    writer.Write(text.Length);
                    writer.Write(text);
                }
            }
        }

        byte[] hash;
        using (var sha = SHA256.Create())
        {
            hash = sha.ComputeHash(stream.GetBuffer(), 0, (int)stream.Length);
        }

        var sb = new StringBuilder(Prefix.Length + 64);
        sb.Append(Prefix);
        foreach (var b in hash)
        {
            sb.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }
}

using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Sec0.Generators.Parsing;

/// <summary>Stable names derived from keys, method ids and file paths.</summary>
internal static class Naming
{
    /// <summary>A C# identifier for a hop's descriptor field: the sanitized key plus a hash of the method id (overloads share keys).</summary>
    public static string DescriptorField(string key, string methodId)
        => Sanitize(key) + "_" + Fnv1a(methodId).ToString("X8", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The hint name of the interceptors of one calling file: the file name plus a hash of the full path.</summary>
    public static string HintName(string filePath) => HintName("Sec0.Interceptors.", filePath);

    /// <summary>The hint name of the descriptors and manifest entries of one declaring file (same scheme as <see cref="HintName(string)"/>).</summary>
    public static string DescriptorsHintName(string filePath) => HintName("Sec0.HopDescriptors.", filePath);

    private static string HintName(string prefix, string filePath)
    {
        var name = filePath;
        var slash = name.LastIndexOfAny(new[] { '/', '\\' });
        if (slash >= 0)
        {
            name = name.Substring(slash + 1);
        }

        if (name.EndsWith(".cs", System.StringComparison.OrdinalIgnoreCase))
        {
            name = name.Substring(0, name.Length - 3);
        }

        return prefix + Sanitize(name) + "." + Fnv1a(filePath).ToString("x8", System.Globalization.CultureInfo.InvariantCulture) + ".g.cs";
    }

    public static string Sanitize(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            sb.Append(c < 128 && (char.IsLetterOrDigit(c) || c == '_') ? c : '_');
        }

        if (sb.Length == 0 || char.IsDigit(sb[0]))
        {
            sb.Insert(0, '_');
        }

        return sb.ToString();
    }

    /// <summary>Escapes reserved keywords with '@'.</summary>
    public static string Escape(string identifier)
        => SyntaxFacts.GetKeywordKind(identifier) != Microsoft.CodeAnalysis.CSharp.SyntaxKind.None ? "@" + identifier : identifier;

    /// <summary>FNV-1a over UTF-16 code units: stable across processes (unlike string.GetHashCode).</summary>
    public static uint Fnv1a(string value)
    {
        var hash = 2166136261u;
        foreach (var c in value)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return hash;
    }

    /// <summary>The identity of a method definition (documentation comment id, or a display fallback).</summary>
    public static string MethodId(IMethodSymbol method)
        => method.GetDocumentationCommentId() ?? method.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
}

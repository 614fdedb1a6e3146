using System.Globalization;
using System.Text;

namespace Sec0.Policy;

/// <summary>
/// Normalizes a URL path for prefix checks. Servers disagree on whether <c>%2F</c> is a separator and
/// whether <c>%2E%2E</c> is a parent reference, so a path is read two ways: <see cref="NormalizedPath.Raw"/>
/// splits on literal separators only and decodes each segment; <see cref="NormalizedPath.Decoded"/>
/// decodes everything (repeatedly, for double encoding) before splitting. A rule admits a path only when
/// both readings are inside its prefix. Backslashes count as separators; <c>.</c> and <c>..</c> are
/// resolved and can never climb above the root.
/// </summary>
internal static class UrlPathNormalizer
{
    /// <summary>Decoding rounds for the decoded reading; deeper encodings are left as text.</summary>
    private const int MaxDecodeRounds = 4;

    /// <summary>The IDN mapping used for hosts (shared, thread-safe for GetAscii).</summary>
    public static IdnMapping Idn { get; } = new();

    /// <summary>The two readings of a path, each starting with '/'.</summary>
    internal readonly record struct NormalizedPath(string Raw, string Decoded);

    /// <summary>True when an escaped path holds an encoded separator, dot or percent sign (<c>%2F %5C %2E %25</c>).</summary>
    public static bool HasEncodedStructure(Uri uri)
    {
        var escaped = uri.GetComponents(UriComponents.Path | UriComponents.KeepDelimiter, UriFormat.UriEscaped);
        return escaped.Contains("%2F", StringComparison.OrdinalIgnoreCase)
            || escaped.Contains("%5C", StringComparison.OrdinalIgnoreCase)
            || escaped.Contains("%2E", StringComparison.OrdinalIgnoreCase)
            || escaped.Contains("%25", StringComparison.OrdinalIgnoreCase);
    }

    public static NormalizedPath Normalize(Uri uri)
    {
        var escaped = uri.GetComponents(UriComponents.Path | UriComponents.KeepDelimiter, UriFormat.UriEscaped);
        var raw = Resolve(escaped.Split('/', '\\'), segment => Uri.UnescapeDataString(segment));

        var decoded = escaped;
        for (var round = 0; round < MaxDecodeRounds; round++)
        {
            var next = Uri.UnescapeDataString(decoded);
            if (next == decoded)
            {
                break;
            }

            decoded = next;
        }

        return new NormalizedPath(raw, Resolve(decoded.Split('/', '\\'), segment => segment));
    }

    /// <summary>Drops empty and <c>.</c> segments, applies <c>..</c> (never above the root) and joins with '/'.</summary>
    private static string Resolve(string[] segments, Func<string, string> dotValue)
    {
        var stack = new List<string>();
        foreach (var segment in segments)
        {
            var value = dotValue(segment);
            if (value.Length == 0 || value == ".")
            {
                continue;
            }

            if (value == "..")
            {
                if (stack.Count > 0)
                {
                    stack.RemoveAt(stack.Count - 1);
                }

                continue;
            }

            stack.Add(segment);
        }

        if (stack.Count == 0)
        {
            return "/";
        }

        var builder = new StringBuilder();
        foreach (var segment in stack)
        {
            builder.Append('/').Append(segment);
        }

        return builder.ToString();
    }
}

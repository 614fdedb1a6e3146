using System.Globalization;
using System.Text.RegularExpressions;

namespace Sec0.ControlPlane;

/// <summary>
/// Object keys of uploaded audit files, in the TypeScript SDK's layout:
/// <c>tenants/{tenant}/{env}/clients/{clientName}/{clientVersion}/ingest/{date}/audit-{date}-{sha256 prefix}.ndjson</c>.
/// </summary>
internal static partial class AuditObjectKey
{
    /// <summary>The longest a segment may be, as in the TypeScript SDK's <c>sanitizeSegment</c>.</summary>
    public const int MaxSegmentLength = 120;

    /// <summary>How many hex digits of the file's SHA-256 name the object.</summary>
    public const int HashPrefixLength = 16;

    /// <summary>
    /// The key of one daily file. The hash in the name makes a changed file a new object (the earlier upload is never
    /// overwritten) and the same content the same key (uploading again is idempotent).
    /// </summary>
    public static string For(ControlPlaneHierarchy hierarchy, DateOnly day, string sha256Hex)
    {
        var date = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"tenants/{Segment(hierarchy.Tenant)}/{Segment(hierarchy.Environment)}/clients/{Segment(hierarchy.ClientName)}/{Segment(hierarchy.ClientVersion)}/ingest/{date}/audit-{date}-{sha256Hex[..HashPrefixLength]}.ndjson");
    }

    /// <summary>
    /// One path segment: runs of characters other than <c>A-Z a-z 0-9 . _ -</c> become one <c>_</c>, <c>_</c> runs
    /// collapse, <c>_</c> is trimmed from both ends, and the result is cut to 120 characters (the TypeScript SDK's rule,
    /// which it does not apply to tenant, env and client). Unlike it, a result that is empty or only dots
    /// (<c>.</c>, <c>..</c>) becomes <c>_</c>: never an empty segment or a path step upwards in the object store.
    /// </summary>
    public static string Segment(string? value)
    {
        var text = Underscores().Replace(Unsafe().Replace(value ?? string.Empty, "_"), "_").Trim('_');
        if (text.Length > MaxSegmentLength)
        {
            text = text[..MaxSegmentLength];
        }

        return text.AsSpan().ContainsAnyExcept('.') ? text : "_";
    }

    [GeneratedRegex("[^A-Za-z0-9._-]+", RegexOptions.CultureInvariant)]
    private static partial Regex Unsafe();

    [GeneratedRegex("_{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex Underscores();
}

using System.Text.Json;
using Sec0.Policy;

namespace Sec0.Scanning;

/// <summary>
/// Reads one line of Nuclei's <c>-jsonl</c> output into a <see cref="DastFinding"/>: <c>template-id</c> →
/// code, <c>info.name</c> → title, <c>info.severity</c> (info/unknown → low), <c>matched-at</c> → url, the
/// request line's method, <c>extracted-results</c>/<c>matcher-name</c> → evidence; CWE from
/// <c>info.classification.cwe-id</c> and <c>cwe-*</c> tags, OWASP and NIST from <c>owasp*</c>/<c>nist*</c> tags.
/// </summary>
public static class NucleiOutputParser
{
    /// <summary>Parses one JSON line.</summary>
    /// <exception cref="JsonException">The line is not a Nuclei result.</exception>
    public static DastFinding ParseLine(string line)
    {
        using var document = JsonDocument.Parse(line);
        var r = document.RootElement;
        if (r.ValueKind != JsonValueKind.Object || String(r, "template-id") is not { } templateId)
        {
            throw new JsonException("A Nuclei result has a \"template-id\".");
        }

        var info = r.TryGetProperty("info", out var i) && i.ValueKind == JsonValueKind.Object ? i : default;
        var tags = Strings(info, "tags");
        var classification = info.ValueKind == JsonValueKind.Object && info.TryGetProperty("classification", out var c) ? c : default;
        var cwe = Strings(classification, "cwe-id").Concat(tags.Where(t => t.StartsWith("cwe-", StringComparison.OrdinalIgnoreCase)))
            .Select(t => "CWE-" + t[4..]).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var url = String(r, "matched-at") ?? String(r, "url") ?? String(r, "host");
        var request = String(r, "request");
        var method = request is null ? null : request.Split(' ', 2)[0] is { Length: > 0 and < 16 } m && m.All(char.IsAsciiLetterUpper) ? m : null;
        var extracted = Strings(r, "extracted-results");
        var name = String(info, "name") ?? templateId;
        return new DastFinding
        {
            Code = templateId,
            Title = name,
            Severity = ScanNames.TryParseSeverity(String(info, "severity"), out var severity) ? severity : ScanSeverity.High,
            Message = String(info, "description")?.Trim() is { Length: > 0 } d ? d : name,
            Url = url,
            Method = method,
            Param = String(r, "fuzzing_parameter"),
            Location = url is not null && Uri.TryCreate(url, UriKind.Absolute, out var u) ? u.AbsolutePath : null,
            Evidence = extracted.Count > 0 ? string.Join(", ", extracted) : String(r, "matcher-name"),
            Sources = ["nuclei", String(r, "template") ?? templateId],
            Tags = [.. tags.Where(t => !IsMapped(t))],
            Cwe = cwe,
            Owasp = [.. tags.Where(t => t.StartsWith("owasp", StringComparison.OrdinalIgnoreCase))],
            Nist = [.. tags.Where(t => t.StartsWith("nist", StringComparison.OrdinalIgnoreCase))],
        };
    }

    private static bool IsMapped(string tag) =>
        tag.StartsWith("cwe-", StringComparison.OrdinalIgnoreCase) || tag.StartsWith("owasp", StringComparison.OrdinalIgnoreCase) || tag.StartsWith("nist", StringComparison.OrdinalIgnoreCase);

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    /// <summary>Nuclei writes lists either as arrays or as comma-separated strings.</summary>
    private static IReadOnlyList<string> Strings(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var p))
        {
            return [];
        }

        return p.ValueKind switch
        {
            JsonValueKind.Array => [.. p.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)],
            JsonValueKind.String => [.. p.GetString()!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
            _ => [],
        };
    }
}

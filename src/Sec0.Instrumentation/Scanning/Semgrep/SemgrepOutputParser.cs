using System.Text.Json;
using Sec0.Policy;

namespace Sec0.Scanning;

/// <summary>
/// Reads Semgrep's <c>--json</c> output: <c>results[]</c> (check_id, path, start/end line, extra.message,
/// extra.severity INFO→low, WARNING→medium, ERROR→high, CRITICAL→critical, extra.fix, extra.metadata.cwe/
/// owasp/category) and <c>errors[]</c>. An <c>errors[]</c> entry of level <c>error</c> means part of the file
/// went unscanned, which is a scan error, not a pass.
/// </summary>
public static class SemgrepOutputParser
{
    /// <summary>Parses <paramref name="json"/>, keeping findings that overlap <paramref name="info"/>'s line span.</summary>
    /// <exception cref="JsonException">The text is not Semgrep JSON output.</exception>
    public static SastScanResult Parse(string json, SastScanInfo info, string? scanId = null)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException("Semgrep output has no \"results\" array.");
        }

        var findings = new List<SastFinding>();
        foreach (var r in results.EnumerateArray())
        {
            var start = Line(r, "start");
            var end = Line(r, "end") ?? start;
            if (info.StartLine > 0 && info.EndLine > 0 && start is int s && (s > info.EndLine || (end ?? s) < info.StartLine))
            {
                continue;
            }

            var checkId = String(r, "check_id") ?? "semgrep";
            var extra = r.TryGetProperty("extra", out var x) && x.ValueKind == JsonValueKind.Object ? x : default;
            var metadata = extra.ValueKind == JsonValueKind.Object && extra.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
            var severityText = extra.ValueKind == JsonValueKind.Object ? String(extra, "severity") : null;
            findings.Add(new SastFinding
            {
                Code = checkId,
                Title = checkId[(checkId.LastIndexOf('.') + 1)..],
                Severity = ScanNames.TryParseSeverity(severityText, out var severity) ? severity : ScanSeverity.High,
                Message = (extra.ValueKind == JsonValueKind.Object ? String(extra, "message") : null) ?? "",
                File = String(r, "path"),
                StartLine = start,
                EndLine = end,
                Suggest = extra.ValueKind == JsonValueKind.Object ? String(extra, "fix") : null,
                Tags = Strings(metadata, "category"),
                Cwe = Strings(metadata, "cwe"),
                Owasp = Strings(metadata, "owasp"),
            });
        }

        var errors = new List<string>();
        if (root.TryGetProperty("errors", out var errorList) && errorList.ValueKind == JsonValueKind.Array)
        {
            foreach (var e in errorList.EnumerateArray())
            {
                if (e.ValueKind == JsonValueKind.Object && string.Equals(String(e, "level"), "error", StringComparison.OrdinalIgnoreCase))
                {
                    errors.Add(String(e, "message") ?? String(e, "type") ?? "semgrep error");
                }
            }
        }

        return new SastScanResult
        {
            Status = errors.Count > 0 ? ScanStatus.Error : findings.Count > 0 ? ScanStatus.Fail : ScanStatus.Pass,
            Findings = findings,
            ScanId = scanId,
            Error = errors.Count > 0 ? "semgrep reported errors: " + string.Join("; ", errors) : null,
        };
    }

    private static int? Line(JsonElement result, string name) =>
        result.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Object && p.TryGetProperty("line", out var l) && l.TryGetInt32(out var line) ? line : null;

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    /// <summary>Semgrep metadata values are a string or a list of strings.</summary>
    private static IReadOnlyList<string> Strings(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var p))
        {
            return [];
        }

        return p.ValueKind switch
        {
            JsonValueKind.String => [p.GetString()!],
            JsonValueKind.Array => [.. p.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)],
            _ => [],
        };
    }
}

using System.Globalization;
using System.Text.Json;
using Sec0.Files;
using Sec0.Policy;

namespace Sec0.Scanning;

/// <summary>
/// Saves SAST verdicts between starts in <c>&lt;sec0Dir&gt;/scans/sast-verdicts.json</c>, so a restart does
/// not rescan (and, with <c>block_on_change</c>, block) every hop whose code did not change. Only
/// <c>pass</c>/<c>fail</c> verdicts that have not expired are kept; <c>error</c> is retried instead. A loaded
/// verdict is evaluated again under the current <c>block_on_severity</c>, and dropped when it was made with
/// another ruleset. The file sits beside the signing key: whoever can write it can already sign envelopes.
/// </summary>
internal static class SastVerdictStore
{
    /// <summary>The file name under <c>&lt;sec0Dir&gt;/scans/</c>.</summary>
    public const string FileName = "sast-verdicts.json";

    public static void Save(string directory, IEnumerable<ScanVerdict> verdicts, string? ruleset, DateTimeOffset now)
    {
        AtomicFile.WriteJson(Path.Combine(directory, FileName), w =>
        {
            w.WriteStartObject();
            w.WriteNumber("version", 1);
            w.WriteString("ruleset", ruleset);
            w.WriteStartArray("verdicts");
            foreach (var v in verdicts.Where(v => v.Status is ScanStatus.Pass or ScanStatus.Fail && v.ExpiresAt > now).OrderBy(v => v.Key, StringComparer.Ordinal))
            {
                w.WriteStartObject();
                w.WriteString("hash", v.Key);
                w.WriteString("status", v.StatusName);
                w.WriteString("scan_id", v.ScanId);
                w.WriteString("completed_at", v.CompletedAt.ToString("O", CultureInfo.InvariantCulture));
                w.WriteString("expires_at", v.ExpiresAt.ToString("O", CultureInfo.InvariantCulture));
                w.WritePropertyName("findings");
                v.FindingsJson!.WriteTo(w);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary>The saved verdicts still valid at <paramref name="now"/> under <paramref name="policy"/>; empty when there is no readable file.</summary>
    public static IReadOnlyList<ScanVerdict> Load(string directory, SastPolicyOptions policy, DateTimeOffset now)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return [];
        }

        var verdicts = new List<ScanVerdict>();
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            var ruleset = root.TryGetProperty("ruleset", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            if (!string.Equals(ruleset, policy.Ruleset, StringComparison.Ordinal))
            {
                return [];
            }

            foreach (var v in root.GetProperty("verdicts").EnumerateArray())
            {
                var expires = DateTimeOffset.Parse(v.GetProperty("expires_at").GetString()!, CultureInfo.InvariantCulture);
                if (expires <= now)
                {
                    continue;
                }

                var said = v.GetProperty("status").GetString() == ScanNames.Fail ? ScanStatus.Fail : ScanStatus.Pass;
                var findings = v.GetProperty("findings").EnumerateArray().Select(ReadFinding).ToList();
                var status = ScanVerdictRules.Evaluate(said, findings, policy.BlockOnSeverity);
                verdicts.Add(new ScanVerdict(
                    v.GetProperty("hash").GetString()!,
                    status,
                    findings,
                    v.TryGetProperty("scan_id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null,
                    null,
                    DateTimeOffset.Parse(v.GetProperty("completed_at").GetString()!, CultureInfo.InvariantCulture),
                    expires));
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IOException)
        {
            // An unreadable file only costs a rescan.
            return [];
        }

        return verdicts;
    }

    private static SastFinding ReadFinding(JsonElement f) => new()
    {
        Code = Str(f, "code") ?? "unknown",
        Title = Str(f, "title") ?? "",
        Severity = ScanNames.TryParseSeverity(Str(f, "severity"), out var s) ? s : ScanSeverity.High,
        Message = Str(f, "message") ?? "",
        File = Str(f, "file"),
        StartLine = f.TryGetProperty("start_line", out var sl) && sl.TryGetInt32(out var a) ? a : null,
        EndLine = f.TryGetProperty("end_line", out var el) && el.TryGetInt32(out var b) ? b : null,
        Suggest = Str(f, "suggest"),
        Tags = List(f, "tags"),
        Cwe = List(f, "cwe"),
        Owasp = List(f, "owasp"),
        Nist = List(f, "nist"),
    };

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    private static IReadOnlyList<string> List(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Array ? [.. p.EnumerateArray().Select(x => x.GetString() ?? "")] : [];
}

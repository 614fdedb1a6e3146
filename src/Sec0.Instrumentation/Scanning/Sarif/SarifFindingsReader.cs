using System.Globalization;
using System.Text.Json;
using Sec0.Hops;
using Sec0.Policy;

namespace Sec0.Scanning;

/// <summary>
/// Reads any SARIF 2.1.0 log (Semgrep <c>--sarif</c>, CodeQL, the C# compiler's <c>ErrorLog</c> with the
/// .NET security analyzers) into <see cref="SastFinding"/>s, and maps them to hops through the manifest's
/// file and line spans. Mapping: <c>ruleId</c> → code; <c>level</c> error→high, warning→medium, note/none→low
/// (the rule's <c>defaultConfiguration.level</c> when the result has none); a rule's
/// <c>security-severity</c> score (CodeQL, Semgrep) overrides the level: ≥9 critical, ≥7 high, ≥4 medium,
/// else low; <c>message.text</c>; the first location's <c>artifactLocation.uri</c> and
/// <c>region.startLine</c>/<c>endLine</c>; rule <c>tags</c> (CWE and OWASP tags become <c>cwe</c>/<c>owasp</c>).
/// By default only security results are read: a rule of category <c>Security</c>, tagged <c>security</c>,
/// or with a <c>security-severity</c>. Style and performance warnings are not SAST findings.
/// </summary>
public static class SarifFindingsReader
{
    // The compiler's SARIF carries no CWE; these are the CWEs Microsoft documents for its security rules.
    private static readonly Dictionary<string, string[]> s_dotnetRuleCwes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["CA2100"] = ["CWE-89"],
        ["CA3001"] = ["CWE-89"],
        ["CA3002"] = ["CWE-79"],
        ["CA3003"] = ["CWE-22"],
        ["CA3004"] = ["CWE-209"],
        ["CA3005"] = ["CWE-90"],
        ["CA3006"] = ["CWE-78"],
        ["CA3007"] = ["CWE-601"],
        ["CA3008"] = ["CWE-643"],
        ["CA3009"] = ["CWE-91"],
        ["CA3010"] = ["CWE-91"],
        ["CA3011"] = ["CWE-114"],
        ["CA3012"] = ["CWE-1333"],
        ["CA3075"] = ["CWE-611"],
        ["CA3077"] = ["CWE-611"],
        ["CA5350"] = ["CWE-327"],
        ["CA5351"] = ["CWE-327"],
        ["CA2300"] = ["CWE-502"],
        ["CA2301"] = ["CWE-502"],
        ["CA2305"] = ["CWE-502"],
        ["CA2315"] = ["CWE-502"],
        ["CA2321"] = ["CWE-502"],
        ["CA2326"] = ["CWE-502"],
        ["CA5359"] = ["CWE-295"],
        ["CA5364"] = ["CWE-327"],
        ["CA5394"] = ["CWE-338"],
    };

    /// <summary>Reads every (security, unless <paramref name="securityOnly"/> is false) result of the log at <paramref name="path"/>.</summary>
    /// <exception cref="JsonException">The file is not a SARIF log.</exception>
    /// <exception cref="IOException">The file can't be read.</exception>
    public static IReadOnlyList<SastFinding> ReadFile(string path, bool securityOnly = true) => Read(File.ReadAllText(path), securityOnly);

    /// <summary>Reads every (security, unless <paramref name="securityOnly"/> is false) result of a SARIF 2.1.0 log.</summary>
    /// <exception cref="JsonException">The text is not a SARIF log.</exception>
    public static IReadOnlyList<SastFinding> Read(string sarifJson, bool securityOnly = true)
    {
        using var document = JsonDocument.Parse(sarifJson);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("runs", out var runs) || runs.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException("A SARIF log has a \"runs\" array.");
        }

        var findings = new List<SastFinding>();
        foreach (var run in runs.EnumerateArray())
        {
            var rules = Rules(run);
            if (!run.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var result in results.EnumerateArray())
            {
                if (ToFinding(result, rules, securityOnly) is { } finding)
                {
                    findings.Add(finding);
                }
            }
        }

        return findings;
    }

    /// <summary>
    /// Groups <paramref name="findings"/> by the hop whose span they fall in: the key is the hop's body hash.
    /// A finding's file matches a hop's file when the full paths are equal, or when one is a relative path
    /// that ends the other (SARIF logs often hold repository-relative URIs). Findings outside every hop are left out.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<SastFinding>> MapToHops(IReadOnlyList<SastFinding> findings, IEnumerable<HopManifestEntry> manifest)
    {
        var map = new Dictionary<string, List<SastFinding>>(StringComparer.Ordinal);
        var entries = manifest.Where(m => m.BodyHash.Length > 0 && m.FilePath.Length > 0).ToList();
        foreach (var entry in entries)
        {
            map.TryAdd(entry.BodyHash, []);
        }

        foreach (var finding in findings)
        {
            foreach (var entry in entries)
            {
                if (InSpan(finding, entry.FilePath, entry.StartLine, entry.EndLine))
                {
                    map[entry.BodyHash].Add(finding);
                }
            }
        }

        return map.ToDictionary(p => p.Key, p => (IReadOnlyList<SastFinding>)p.Value, StringComparer.Ordinal);
    }

    /// <summary>True when <paramref name="finding"/> lies in the span <paramref name="startLine"/>..<paramref name="endLine"/> of <paramref name="filePath"/>.</summary>
    public static bool InSpan(SastFinding finding, string filePath, int startLine, int endLine)
    {
        if (finding.File is null || finding.StartLine is not int start || !SameFile(finding.File, filePath))
        {
            return false;
        }

        var end = finding.EndLine ?? start;
        return start <= endLine && end >= startLine;
    }

    private static bool SameFile(string a, string b)
    {
        a = Normalize(a);
        b = Normalize(b);
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        if (string.Equals(a, b, comparison))
        {
            return true;
        }

        // Only a relative path may match by suffix, and only at a folder boundary.
        return (!Path.IsPathRooted(a) && b.EndsWith("/" + a.TrimStart('.', '/'), comparison))
            || (!Path.IsPathRooted(b) && a.EndsWith("/" + b.TrimStart('.', '/'), comparison));
    }

    private static string Normalize(string path)
    {
        if (Uri.TryCreate(path, UriKind.Absolute, out var uri) && uri.IsFile)
        {
            path = uri.LocalPath;
        }
        else if (path.Contains('%', StringComparison.Ordinal))
        {
            path = Uri.UnescapeDataString(path);
        }

        path = path.Replace('\\', '/');
        return Path.IsPathRooted(path) ? Path.GetFullPath(path).Replace('\\', '/') : path;
    }

    private static List<JsonElement> Rules(JsonElement run)
    {
        var rules = new List<JsonElement>();
        if (run.TryGetProperty("tool", out var tool) && tool.TryGetProperty("driver", out var driver)
            && driver.TryGetProperty("rules", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            rules.AddRange(list.EnumerateArray());
        }

        return rules;
    }

    private static SastFinding? ToFinding(JsonElement result, List<JsonElement> rules, bool securityOnly)
    {
        var ruleId = String(result, "ruleId")
            ?? (result.TryGetProperty("rule", out var r) ? String(r, "id") : null)
            ?? "sarif";
        JsonElement rule = default;
        if (result.TryGetProperty("ruleIndex", out var indexElement) && indexElement.TryGetInt32(out var index) && index >= 0 && index < rules.Count)
        {
            rule = rules[index];
        }
        else
        {
            rule = rules.FirstOrDefault(x => string.Equals(String(x, "id"), ruleId, StringComparison.Ordinal));
        }

        var ruleProperties = rule.ValueKind == JsonValueKind.Object && rule.TryGetProperty("properties", out var rp) && rp.ValueKind == JsonValueKind.Object ? rp : default;
        var tags = Strings(ruleProperties, "tags");
        var securitySeverity = ruleProperties.ValueKind == JsonValueKind.Object && ruleProperties.TryGetProperty("security-severity", out var ss) ? Score(ss) : null;
        var category = ruleProperties.ValueKind == JsonValueKind.Object ? String(ruleProperties, "category") : null;
        var isSecurity = securitySeverity is not null
            || string.Equals(category, "Security", StringComparison.OrdinalIgnoreCase)
            || tags.Any(t => string.Equals(t, "security", StringComparison.OrdinalIgnoreCase));
        if (securityOnly && !isSecurity)
        {
            return null;
        }

        var level = String(result, "level")
            ?? (rule.ValueKind == JsonValueKind.Object && rule.TryGetProperty("defaultConfiguration", out var dc) ? String(dc, "level") : null)
            ?? "warning";
        var severity = securitySeverity is double score
            ? score >= 9 ? ScanSeverity.Critical : score >= 7 ? ScanSeverity.High : score >= 4 ? ScanSeverity.Medium : ScanSeverity.Low
            : ScanNames.TryParseSeverity(level, out var parsed) ? parsed : ScanSeverity.High;

        string? file = null;
        int? startLine = null, endLine = null;
        if (result.TryGetProperty("locations", out var locations) && locations.ValueKind == JsonValueKind.Array && locations.GetArrayLength() > 0
            && locations[0].TryGetProperty("physicalLocation", out var physical))
        {
            if (physical.TryGetProperty("artifactLocation", out var artifact))
            {
                file = String(artifact, "uri");
            }

            if (physical.TryGetProperty("region", out var region))
            {
                startLine = Int(region, "startLine");
                endLine = Int(region, "endLine") ?? startLine;
            }
        }

        var cwe = tags.Select(CweOf).OfType<string>().ToList();
        if (cwe.Count == 0 && s_dotnetRuleCwes.TryGetValue(ruleId, out var known))
        {
            cwe.AddRange(known);
        }

        var message = result.TryGetProperty("message", out var m) ? String(m, "text") : null;
        var title = (rule.ValueKind == JsonValueKind.Object && rule.TryGetProperty("shortDescription", out var sd) ? String(sd, "text") : null)
            ?? (rule.ValueKind == JsonValueKind.Object ? String(rule, "name") : null)
            ?? ruleId;
        return new SastFinding
        {
            Code = ruleId,
            Title = title,
            Severity = severity,
            Message = message ?? title,
            File = file,
            StartLine = startLine,
            EndLine = endLine,
            Tags = [.. tags.Where(t => CweOf(t) is null && OwaspOf(t) is null)],
            Cwe = cwe,
            Owasp = [.. tags.Select(OwaspOf).OfType<string>()],
        };
    }

    /// <summary>CWE tags: <c>external/cwe/cwe-089</c> (CodeQL), <c>CWE-89: ...</c> (Semgrep).</summary>
    private static string? CweOf(string tag)
    {
        var t = tag.Trim();
        var at = t.IndexOf("cwe-", StringComparison.OrdinalIgnoreCase);
        if (at < 0 || (at > 0 && t[at - 1] != '/'))
        {
            return null;
        }

        var digits = new string([.. t[(at + 4)..].TakeWhile(char.IsAsciiDigit)]);
        return digits.Length == 0 ? null : "CWE-" + int.Parse(digits, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>OWASP tags: <c>OWASP-A03:2021 - Injection</c> (Semgrep), <c>owasp-top10-2021-a03</c>.</summary>
    private static string? OwaspOf(string tag) =>
        tag.StartsWith("OWASP", StringComparison.OrdinalIgnoreCase) ? tag.TrimStart('O', 'W', 'A', 'S', 'P', 'o', 'w', 'a', 's', 'p', '-', ' ', ':') : null;

    private static double? Score(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    private static int? Int(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var p) && p.TryGetInt32(out var v) ? v : null;

    private static IReadOnlyList<string> Strings(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Array
            ? [.. p.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)]
            : [];
}

using System.Text.Json;

namespace Sec0.Tests.Shared;

/// <summary>
/// Compares an envelope line written by Sec0 for .NET with one written by Sec0's TypeScript SDK for the same call,
/// member by member: every TS member must be there with the same JSON type (and the same value, unless its value
/// is an id, a time, a hash or a signature), except the deliberate differences the caller lists; every member .NET
/// adds must be listed too. The TS lines are real ones, from tests/Fixtures/TypeScriptSdk.
/// </summary>
internal static class TsEnvelopeShape
{
    /// <summary>An allowed agent hop: agent order-agent@1.0.0, nodeId order-agent, tenant demo, dev, client demo-agents 1.0.0, default_retention 90d.</summary>
    public static string TsAgentHopLine => FixtureLine("hops.ndjson", 1);

    /// <summary>An MCP call denied as tool_not_in_allowlist by a policy with default_retention 30d, tenant demo, traceparent sent.</summary>
    public static string TsMiddlewareDenyLine => FixtureLine("middleware.ndjson", 2);

    /// <summary>Line <paramref name="number"/> (1-based) of a file in tests/Fixtures/TypeScriptSdk, copied beside the tests.</summary>
    public static string FixtureLine(string file, int number) =>
        File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "TypeScriptSdk", file)).ElementAt(number - 1);

    /// <summary>The differences found; empty when the shapes agree.</summary>
    /// <param name="ts">The TypeScript-written line.</param>
    /// <param name="net">The .NET-written line.</param>
    /// <param name="varying">Members (dotted paths) whose values differ by nature: ids, times, hashes, signatures.</param>
    /// <param name="absent">TS members .NET deliberately does not write.</param>
    /// <param name="renamed">TS members .NET writes under another name (TS name to .NET name).</param>
    /// <param name="otherValue">Members (dotted paths) with the same type but a deliberately different value.</param>
    /// <param name="nullable">Members one side may write as null where the other has a value (the type TS declares is <c>string | null</c>).</param>
    /// <param name="added">Members .NET adds.</param>
    public static List<string> Compare(
        string ts,
        string net,
        ISet<string> varying,
        ISet<string> absent,
        IReadOnlyDictionary<string, string> renamed,
        ISet<string> otherValue,
        ISet<string> nullable,
        ISet<string> added)
    {
        using var tsDoc = JsonDocument.Parse(ts);
        using var netDoc = JsonDocument.Parse(net);
        var problems = new List<string>();
        var netRoot = netDoc.RootElement;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in tsDoc.RootElement.EnumerateObject())
        {
            var name = member.Name;
            if (absent.Contains(name))
            {
                if (netRoot.TryGetProperty(name, out _))
                {
                    problems.Add($"{name}: listed as not written, but .NET writes it (update the list and docs/audit-format.md)");
                }

                continue;
            }

            var netName = renamed.TryGetValue(name, out var to) ? to : name;
            seen.Add(netName);
            if (!netRoot.TryGetProperty(netName, out var value))
            {
                problems.Add($"{name}: TS writes it, .NET does not" + (netName == name ? "" : $" (as {netName})"));
                continue;
            }

            if (nullable.Contains(name) && (value.ValueKind == JsonValueKind.Null || member.Value.ValueKind == JsonValueKind.Null))
            {
                continue;
            }

            Same(name, member.Value, value, varying, otherValue, problems);
        }

        foreach (var member in netRoot.EnumerateObject())
        {
            if (!seen.Contains(member.Name) && !added.Contains(member.Name))
            {
                problems.Add($"{member.Name}: .NET writes it, TS does not, and it is not listed as a .NET addition");
            }
        }

        foreach (var name in added)
        {
            if (!netRoot.TryGetProperty(name, out _))
            {
                problems.Add($"{name}: listed as a .NET addition but not written");
            }
        }

        return problems;
    }

    private static void Same(string path, JsonElement ts, JsonElement net, ISet<string> varying, ISet<string> otherValue, List<string> problems)
    {
        if (Kind(ts.ValueKind) != Kind(net.ValueKind))
        {
            problems.Add($"{path}: TS type {ts.ValueKind}, .NET type {net.ValueKind}");
            return;
        }

        switch (ts.ValueKind)
        {
            case JsonValueKind.Object:
                var names = ts.EnumerateObject().Select(m => m.Name).Order(StringComparer.Ordinal).ToList();
                var netNames = net.EnumerateObject().Select(m => m.Name).Order(StringComparer.Ordinal).ToList();
                if (!names.SequenceEqual(netNames))
                {
                    problems.Add($"{path}: TS members [{string.Join(", ", names)}], .NET members [{string.Join(", ", netNames)}]");
                    return;
                }

                foreach (var member in ts.EnumerateObject())
                {
                    Same(path + "." + member.Name, member.Value, net.GetProperty(member.Name), varying, otherValue, problems);
                }

                return;
            case JsonValueKind.Array:
                if (!varying.Contains(path) && !otherValue.Contains(path) && ts.GetArrayLength() != net.GetArrayLength())
                {
                    problems.Add($"{path}: TS {ts}, .NET {net}");
                    return;
                }

                foreach (var (a, b) in ts.EnumerateArray().Zip(net.EnumerateArray()))
                {
                    Same(path + "[]", a, b, varying, otherValue, problems);
                }

                return;
        }

        if (!varying.Contains(path) && !otherValue.Contains(path) && !path.EndsWith("[]", StringComparison.Ordinal) && ts.GetRawText() != net.GetRawText())
        {
            problems.Add($"{path}: TS value {ts.GetRawText()}, .NET value {net.GetRawText()}");
        }
    }

    private static JsonValueKind Kind(JsonValueKind kind) => kind == JsonValueKind.False ? JsonValueKind.True : kind;
}

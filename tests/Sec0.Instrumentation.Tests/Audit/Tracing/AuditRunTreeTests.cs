using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sec0.Audit;
using Sec0.Audit.Tracing;

namespace Sec0.Instrumentation.Tests.Audit.Tracing;

/// <summary>
/// How <see cref="AuditRunReader"/> groups and links lines it did not see written: Sec0's TypeScript SDK's logs,
/// calls that name no run, deep or looping chains of callers, members of unexpected types, and lines that are not
/// JSON. The lines are written by hand (the reader verifies nothing, so no signatures are needed).
/// </summary>
public sealed class AuditRunTreeTests : IDisposable
{
    private readonly TempDirectory _dir = new("trace-tree");

    public void Dispose() => _dir.Dispose();

    private string WriteLog(params string[] lines)
    {
        File.WriteAllText(_dir.Combine("audit-2026-03-01.ndjson"), string.Join('\n', lines) + "\n");
        return _dir.Path;
    }

    private static string Call(string? run, string? trace, string span, string? cause, string name, int ms, string kind = "tool")
    {
        var call = new JsonObject
        {
            ["ts"] = new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero).AddMilliseconds(ms).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["node_type"] = kind,
            ["tool_ref"] = name,
            ["span_id"] = span,
            ["status"] = "ok",
            ["policy"] = new JsonObject { ["decision"] = "allow" },
        };
        if (run is not null)
        {
            call["agentRef"] = run;
        }

        if (trace is not null)
        {
            call["trace_id"] = trace;
        }

        if (cause is not null)
        {
            call["cause_span_id"] = cause;
        }

        return call.ToJsonString();
    }

    private static IEnumerable<AuditRunNode> All(IEnumerable<AuditRunNode> nodes)
        => nodes.SelectMany(n => All(n.Children).Prepend(n));

    private static int Depth(AuditRunNode node) => 1 + (node.Children.Count == 0 ? 0 : node.Children.Max(Depth));

    [Fact]
    public void TypeScript_sdk_hops_are_runs_of_their_own_and_a_self_cause_is_a_first_call()
    {
        var trace = new AuditRunReader().Read(TypeScriptSdkFixtures.PathOf("hops.ndjson"));

        Assert.Empty(trace.Problems);
        Assert.Equal(["vm:31644:1796591033358:4", "vm:31644:1796591033940:5", "vm:31644:1796591033996:6", "vm:31644:1796591034133:7"], trace.Runs.Select(r => r.Key));
        Assert.All(trace.Runs, r => Assert.Null(Assert.Single(r.Roots).DetachedReason));
        var denied = Assert.Single(trace.Runs[1].Roots);
        Assert.True(denied.IsDenied);
        Assert.Equal("egress_violation", denied.Reason);
        // A tool hop names its run only in agentVariables.TOOL.run_id.
        Assert.Equal("search web_search@1.0", Assert.Single(trace.Runs[3].Roots).Name);
    }

    [Fact]
    public void TypeScript_middleware_calls_name_the_guarded_tool_and_a_denial_without_reason_takes_its_risk_tag()
    {
        var trace = new AuditRunReader().Read(TypeScriptSdkFixtures.PathOf("middleware-empty-deny_on.ndjson"));

        var run = Assert.Single(trace.Runs);
        Assert.Equal("run-1", run.RunId);
        Assert.Equal(2, run.Detached);
        var first = run.Roots[0];
        Assert.Equal(("middleware", "demo-server@1.0.0 echo@1.0", "read"), (first.Kind, first.Name, first.Op));
        Assert.True(first.IsDenied);
        Assert.Equal("handler_swap", first.Reason);
        Assert.Equal("caller span b7ad6b7169203331 is not in this log", first.DetachedReason);
    }

    [Fact]
    public void A_call_without_a_run_joins_the_one_run_of_its_trace_and_forms_its_own_run_when_runs_share_the_trace()
    {
        var path = WriteLog(
            Call(null, "t-one", "s9", "s1", "mcp://srv/a@1", 5),
            Call("run-1", "t-one", "s1", null, "agent-1", 0, "agent"),
            Call("run-2", "t-shared", "s2", null, "agent-2", 10, "agent"),
            Call("run-3", "t-shared", "s3", null, "agent-3", 20, "agent"),
            Call(null, "t-shared", "s8", "s3", "mcp://srv/b@1", 25),
            Call(null, null, "s7", null, "mcp://srv/c@1", 30));

        var trace = new AuditRunReader().Read(path);

        Assert.Equal(["run-1", "run-2", "run-3", "trace:t-shared", "-"], trace.Runs.Select(r => r.Key));
        Assert.Equal("mcp://srv/a@1", Assert.Single(Assert.Single(trace.Runs[0].Roots).Children).Name);
        var shared = trace.Runs[3];
        Assert.Equal(("t-shared", (string?)null), (shared.TraceId, shared.RunId));
        Assert.Equal("caller span s3 is not in this log", Assert.Single(shared.Roots).DetachedReason);

        var byTrace = new AuditRunReader(new AuditRunReaderOptions { RunId = "t-sh" }).Read(path);
        Assert.Equal("trace:t-shared", Assert.Single(byTrace.Runs).Key);
    }

    [Fact]
    public void Calls_nested_deeper_than_the_limit_are_drawn_once_at_the_top_and_every_renderer_copes()
    {
        const int Calls = 200;
        var lines = Enumerable.Range(0, Calls).Reverse()
            .Select(i => Call("deep", "t", $"s{i}", i == 0 ? null : $"s{i - 1}", $"tool-{i}", i))
            .ToArray();
        var trace = new AuditRunReader().Read(WriteLog(lines));

        var run = Assert.Single(trace.Runs);
        Assert.Equal(Calls, run.Calls);
        Assert.Equal(Calls, All(run.Roots).Select(n => n.SpanId).Distinct().Count());
        Assert.All(run.Roots, root => Assert.True(Depth(root) <= 24));
        Assert.Equal(Calls / 24, run.Detached);
        Assert.StartsWith("nested more than 24 calls deep", run.Roots[1].DetachedReason, StringComparison.Ordinal);

        var json = new StringWriter();
        AuditTraceJsonRenderer.Write(json, trace);
        // Within System.Text.Json's default depth of 64, as most consumers parse it.
        using var document = JsonDocument.Parse(json.ToString());
        var text = new StringWriter();
        AuditTraceTextRenderer.Write(text, trace);
        Assert.Equal(Calls + 1, text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var mermaid = new StringWriter();
        AuditTraceMermaidRenderer.Write(mermaid, trace);
        Assert.Contains($"r1n{Calls}[", mermaid.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Members_of_unexpected_types_are_absent_and_lines_that_are_not_JSON_objects_are_reported()
    {
        var path = WriteLog(
            """{"agentRef":"r","ts":"2026-03-01T10:00:00Z","tool_ref":5,"tool":"named","policy":"deny","latency_ms":"fast","status":null,"span_id":["x"]}""",
            "",
            "[1,2]",
            """{"agentRef":"r","tool_ref":"lone \ud800 surrogate"}""",
            """{"agentRef":"r"} {"agentRef":"r"}""",
            """{"record":"checkpoint","agentRef":"r"}""");

        var trace = new AuditRunReader().Read(path);

        var node = Assert.Single(Assert.Single(trace.Runs).Roots);
        Assert.Equal(("named", null, null, null, null), (node.Name, node.Decision, node.LatencyMs, node.Status, node.SpanId));
        Assert.Equal(4, trace.UnreadableLines);
        Assert.Equal([2L, 3L, 4L, 5L], trace.Problems.Select(p => p.Line));
        Assert.All(trace.Problems, p => Assert.Equal(AuditProblemKind.Malformed, p.Kind));
        Assert.Equal("not valid text: invalid UTF-8 or a lone surrogate (changed or corrupted line): not drawn", trace.Problems[2].Message);
        Assert.Equal("not a JSON audit record (text after the JSON object): not drawn", trace.Problems[3].Message);
    }

    [Fact]
    public void Listed_problems_are_capped_and_the_rest_counted()
    {
        var lines = Enumerable.Repeat("junk", 500).Append(Call("r", "t", "s", null, "tool", 0)).ToArray();

        var trace = new AuditRunReader(new AuditRunReaderOptions { MaxListedProblems = 10 }).Read(WriteLog(lines));

        Assert.Equal(10, trace.Problems.Count);
        Assert.Equal(500, trace.UnreadableLines);
        Assert.Single(trace.Runs);
    }
}

using Sec0.Approvals;
using Sec0.Audit.Tracing;
using Sec0.Config;
using Sec0.Instrumentation.Tests.Support;

namespace Sec0.Instrumentation.Tests.Audit.Tracing;

/// <summary>
/// <see cref="AuditRunReader"/> and the renderers on logs that real <c>[Sec0Hop]</c> calls wrote through their
/// generated interceptors: an orchestrator, its agents and tools, a denial and an escalation approved later.
/// </summary>
[Collection(nameof(Sec0AppCollection))]
public sealed class AuditRunReaderTests : IDisposable
{
    private const string Policy = """
        tenant: demo
        tools:
          allowlist: ["mcp://trace-tests/*@*", "mcp://research/*@*", "mcp://search/*@*"]
        security:
          side_effects:
            approve_high_risk: true
            human_escalation: { approval_set_id: ops }
        enforcement:
          deny_on: [tool_not_in_allowlist]
        """;

    // pay is outside the allowlist and its hop block denies that (it escalates only payload_too_large); refund (payments) is escalated by the policy.
    private const string Config = """
        app:
          tenant: demo
          environment: dev
          client: { name: trace-tests, version: "1.0.0" }
          hops:
            TraceWorkflow.Run: { type: orchestrator, nodeId: workflow }
            TraceAgents.Research: { type: agent, nodeId: research, agentName: research, agentVersion: "1.0.0" }
            TraceAgents.Pay:
              type: agent
              nodeId: pay
              agentName: pay
              agentVersion: "1.0.0"
              enforcement: { mode: enforce, deny_on: [tool_not_in_allowlist], escalate_on: [payload_too_large] }
            TraceTools.Search: { type: tool, nodeId: search, server: search, tool: web }
            TraceTools.Refund: { type: tool, nodeId: payments, server: payments, tool: refund }
        policy: ./policy.yaml
        approvals:
          groups:
            ops:
              - { user: olga, roles: [ops] }
        controlPlane:
          sec0Dir: ./.sec0
          localSignerPath: ./.sec0/keys/ed25519.key
        """;

    private readonly TempDirectory _dir = new("trace");

    public void Dispose()
    {
        Sec0App.Current?.Dispose();
        _dir.Dispose();
    }

    private Sec0App Start()
    {
        File.WriteAllText(_dir.Combine("policy.yaml"), Policy);
        File.WriteAllText(_dir.Combine("sec0.config.yaml"), Config);
        var config = Sec0ConfigLoader.Load(_dir.Combine("sec0.config.yaml"), new Sec0ConfigLoadOptions { CheckSigningKeyExists = false });
        return Sec0App.Initialize(config, new Sec0AppOptions { CreateSigningKeyIfMissing = true });
    }

    [Fact]
    public async Task A_run_of_real_hops_is_one_tree_orchestrator_agents_tools_with_its_denial_and_escalation()
    {
        await using var app = Start();
        var escalationId = await TraceWorkflow.Run("supplier review");
        Assert.NotNull(escalationId);
        await app.FlushAsync();

        var trace = new AuditRunReader().Read(app.AuditDirectory);

        Assert.Empty(trace.Problems);
        var run = Assert.Single(trace.Runs);
        Assert.Matches("^[0-9a-f]{32}$", run.RunId);
        Assert.Equal(run.RunId, run.Key);
        Assert.Equal((5, 1, 1, 0), (run.Calls, run.Denied, run.Escalated, run.Detached));

        var orchestrator = Assert.Single(run.Roots);
        Assert.Equal(("orchestrator", "trace-tests@1.0.0", "TraceWorkflow.Run", "allow", "ok"),
            (orchestrator.Kind, orchestrator.Name, orchestrator.HopKey, orchestrator.Decision, orchestrator.Status));
        Assert.NotNull(orchestrator.LatencyMs);
        Assert.Null(orchestrator.CauseSpanId);
        Assert.Equal(["TraceAgents.Research", "TraceAgents.Pay", "TraceTools.Refund"], orchestrator.Children.Select(c => c.HopKey));

        var research = orchestrator.Children[0];
        Assert.Equal(("agent", "research@1.0.0", "ok"), (research.Kind, research.Name, research.Status));
        var search = Assert.Single(research.Children);
        Assert.Equal(("tool", "search web", "TraceTools.Search", "ok"), (search.Kind, search.Name, search.HopKey, search.Status));
        Assert.Equal(research.SpanId, search.CauseSpanId);
        Assert.Equal(orchestrator.TraceId, search.TraceId);

        var pay = orchestrator.Children[1];
        Assert.True(pay.IsDenied);
        Assert.False(pay.IsEscalated);
        Assert.Equal(("deny", "error", "tool_not_in_allowlist"), (pay.Decision, pay.Status, pay.Reason));

        var refund = orchestrator.Children[2];
        Assert.False(refund.IsDenied);
        Assert.True(refund.IsEscalated);
        Assert.Equal(("escalate", escalationId, "pending", null), (refund.Decision, refund.EscalationId, refund.EscalationStatus, refund.EscalationLatestStatus));
    }

    [Fact]
    public async Task An_approval_after_the_call_shows_as_the_escalations_newest_status_in_every_format()
    {
        await using var app = Start();
        var escalationId = (await TraceWorkflow.Run("supplier review"))!;
        var vote = await app.Approvals!.VoteAsync(escalationId, "olga", "ops", ApprovalDecision.Approve, "ok", CancellationToken.None);
        Assert.True(vote.Accepted);
        await app.FlushAsync();

        var trace = new AuditRunReader().Read(app.AuditDirectory);

        var refund = Assert.Single(trace.Runs).Roots[0].Children[2];
        Assert.Equal(("pending", "approved"), (refund.EscalationStatus, refund.EscalationLatestStatus));

        var text = new StringWriter { NewLine = "\n" };
        AuditTraceTextRenderer.Write(text, trace);
        var lines = text.ToString().TrimEnd('\n').Split('\n');
        Assert.Equal(6, lines.Length);
        Assert.Matches(@"^run [0-9a-f]{32} · \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z · 5 calls · 1 denied · 1 escalated$", lines[0]);
        Assert.Matches($@"^└─ orchestrator trace-tests@1\.0\.0 \(TraceWorkflow\.Run\) · allow · ok · {Ms}$", lines[1]);
        Assert.Matches($@"^   ├─ agent research@1\.0\.0 \(TraceAgents\.Research\) · allow · ok · {Ms}$", lines[2]);
        Assert.Matches($@"^   │  └─ tool search web \(TraceTools\.Search\) · allow · ok · {Ms}$", lines[3]);
        Assert.Matches($@"^   ├─ agent pay@1\.0\.0 \(TraceAgents\.Pay\) · deny · error · {Ms}  ✗ denied: tool_not_in_allowlist$", lines[4]);
        Assert.Matches($@"^   └─ tool payments refund \(TraceTools\.Refund\) · escalate · error · {Ms}  ⚑ escalated: tool_not_in_allowlist · {escalationId} pending, now approved$", lines[5]);

        var mermaid = new StringWriter { NewLine = "\n" };
        AuditTraceMermaidRenderer.Write(mermaid, trace);
        Assert.Contains($"⚑ escalated {escalationId} approved\"]", mermaid.ToString(), StringComparison.Ordinal);
        Assert.Contains("  class r1n5 escalated\n", mermaid.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_runs_are_told_apart_and_selected_by_id_or_by_recency()
    {
        await using var app = Start();
        await TraceWorkflow.Run("first");
        await TraceWorkflow.Run("second");
        await app.FlushAsync();

        var all = new AuditRunReader().Read(app.AuditDirectory);
        Assert.Equal(2, all.RunsInLog);
        Assert.Equal(2, all.Runs.Count);
        Assert.NotEqual(all.Runs[0].RunId, all.Runs[1].RunId);
        Assert.True(all.Runs[0].StartedAt <= all.Runs[1].StartedAt);
        Assert.All(all.Runs, r => Assert.Equal(5, r.Calls));

        var newest = new AuditRunReader(new AuditRunReaderOptions { Last = 1 }).Read(app.AuditDirectory);
        Assert.Equal(all.Runs[1].RunId, Assert.Single(newest.Runs).RunId);
        Assert.Equal(2, newest.RunsInLog);

        var first = new AuditRunReader(new AuditRunReaderOptions { RunId = all.Runs[0].RunId![..12] }).Read(app.AuditDirectory);
        Assert.Equal(all.Runs[0].RunId, Assert.Single(first.Runs).RunId);

        var missing = Assert.Throws<Sec0Exception>(() => new AuditRunReader(new AuditRunReaderOptions { RunId = "nope" }).Read(app.AuditDirectory));
        Assert.Equal(AuditRunReader.RunNotFoundCode, missing.Code);
    }

    [Fact]
    public void A_missing_path_throws_file_not_found_like_the_verifier()
    {
        var exception = Assert.Throws<FileNotFoundException>(() => new AuditRunReader().Read(_dir.Combine("nowhere")));
        Assert.StartsWith("[sec0] No audit log at", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, null, true)]
    [InlineData(true, "", true)]
    [InlineData(true, "1", false)]
    [InlineData(false, null, false)]
    public void Colour_is_for_terminals_unless_NO_COLOR_is_set(bool terminal, string? noColor, bool expected)
        => Assert.Equal(expected, AuditTraceTextRenderer.ShouldUseColor(terminal, noColor));

    private const string Ms = @"\d+(\.\d)? ms";
}

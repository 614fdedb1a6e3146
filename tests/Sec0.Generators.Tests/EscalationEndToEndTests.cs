using Sec0.Approvals;
using Sec0.Generators.Tests.Infrastructure;

namespace Sec0.Generators.Tests;

/// <summary>
/// Generated interceptors on the escalation path, against the real runtime and approvals: what each parameter kind
/// contributes to the canonical arguments an escalation is bound to, and an approved retry through the interceptor.
/// </summary>
[Collection(nameof(RunTests))]
public sealed class EscalationEndToEndTests
{
    private const string Hops = """
        Transfers.Send: { type: tool, nodeId: transfers, server: transfers, tool: send }
        Transfers.SendAsync: { type: tool, nodeId: transfers, server: transfers, tool: send-async }
        Transfers.TryBook: { type: tool, nodeId: transfers, server: transfers, tool: book }
        Transfers.Count: { type: tool, nodeId: transfers, server: transfers, tool: count }
        Transfers.Width: { type: tool, nodeId: transfers, server: transfers, tool: width }
        """;

    private const string Policy = """
        tenant: demo
        tools:
          allowlist: ["mcp://ledger/*@*"]
        security:
          side_effects:
            approve_high_risk: true
            human_escalation: { approval_set_id: ops }
        enforcement:
          deny_on: [tool_not_in_allowlist]
        """;

    private const string Approvals = """
        approvals:
          groups:
            ops:
              - { user: olga, roles: [ops] }
        """;

    public static TheoryData<string, string> Calls() => new()
    {
        // Defaults and params arrays are what the caller passes; a keyword parameter is named without its @.
        { "SendDefault", """{"amount":10,"class":"a","tags":[]}""" },
        { "SendTags", """{"amount":2,"class":"b","tags":["x","y"]}""" },

        // in and ref: their value at the call; out: left out.
        { "Book", """{"amount":2.5,"attempts":3}""" },

        // What cannot be captured is a marker naming the declared type.
        { "Count", """{"first":1,"rest":{"sec0_not_hashed":"System.ReadOnlySpan<T>"}}""" },
        { "Width", """{"value":{"sec0_not_hashed":"T"}}""" },
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task Each_parameter_kind_enters_the_canonical_arguments_as_documented(string call, string expected)
    {
        using var asm = LoadedAssembly.Load(("/proj/Hops.cs", Shapes.EscalationArgumentHops), ("/proj/Calls.cs", Shapes.EscalationArgumentCalls));
        using var app = new AuditedApp(Hops, Policy, rootYaml: Approvals);

        var denied = Assert.Throws<Sec0PolicyDeniedException>(() => asm.Call("App.Calls", call));

        Assert.Equal("pending", denied.EscalationStatus);
        var escalation = (await app.App.Approvals!.GetAsync(denied.EscalationId!, CancellationToken.None))!;
        Assert.Equal(expected, escalation.Request.Arguments);
        Assert.Equal(Sec0.Audit.Sha256Hex.Of(System.Text.Encoding.UTF8.GetBytes(expected)), escalation.Request.ArgumentsSha256);
    }

    [Fact]
    public async Task An_async_hop_leaves_its_cancellation_token_out_and_faults_its_task()
    {
        using var asm = LoadedAssembly.Load(("/proj/Hops.cs", Shapes.EscalationArgumentHops), ("/proj/Calls.cs", Shapes.EscalationArgumentCalls));
        using var app = new AuditedApp(Hops, Policy, rootYaml: Approvals);

        var task = (Task<int>)asm.Call("App.Calls", "SendAsync")!;
        var denied = await Assert.ThrowsAsync<Sec0PolicyDeniedException>(() => task);

        var escalation = (await app.App.Approvals!.GetAsync(denied.EscalationId!, CancellationToken.None))!;
        Assert.Equal("""{"cents":5}""", escalation.Request.Arguments);
    }

    [Fact]
    public async Task An_approved_call_runs_once_through_its_interceptor()
    {
        using var asm = LoadedAssembly.Load(("/proj/Hops.cs", Shapes.EscalationArgumentHops), ("/proj/Calls.cs", Shapes.EscalationArgumentCalls));
        using var app = new AuditedApp(Hops, Policy, rootYaml: Approvals);
        var approvals = app.App.Approvals!;

        var id = Assert.Throws<Sec0PolicyDeniedException>(() => asm.Call("App.Calls", "SendTags")).EscalationId!;
        Assert.True((await approvals.VoteAsync(id, "olga", "ops", ApprovalDecision.Approve, null, CancellationToken.None)).Accepted);
        var grant = await approvals.WaitForApprovalAsync(id, CancellationToken.None);

        using (Sec0Approvals.UseToken(grant.Token!))
        {
            var other = Assert.Throws<Sec0PolicyDeniedException>(() => asm.Call("App.Calls", "SendDefault"));
            Assert.Equal("approval_token_other_call", other.Violation);
            Assert.Equal("b22", asm.Call("App.Calls", "SendTags"));
        }

        using (Sec0Approvals.UseToken(grant.Token!))
        {
            Assert.Equal("approval_token_already_used", Assert.Throws<Sec0PolicyDeniedException>(() => asm.Call("App.Calls", "SendTags")).Violation);
        }

        Assert.Equal(1, (int)asm.Call("App.Calls", "Runs")!);
        var ran = Assert.Single(app.Envelopes(), e => e.GetProperty("node_type").GetString() == "tool" && e.GetProperty("status").GetString() == "ok");
        Assert.Equal(id, ran.GetProperty("escalation_id").GetString());
        Assert.Equal("approved", ran.GetProperty("escalation_status").GetString());
    }
}

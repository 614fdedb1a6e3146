using System.Diagnostics;
using System.Text.Json;
using Sec0.Config;
using Sec0.ControlPlane;

namespace Sec0.Mcp.Tests;

/// <summary>
/// Remote decisions in the MCP middleware (<see cref="Sec0McpOptions.RemoteDecisions"/>): real tool calls through the SDK's
/// client and server, the reference control plane on 127.0.0.1 deciding, and the envelope saying which engine decided.
/// </summary>
public sealed class RemoteDecisionTests : IAsyncLifetime
{
    private ReferenceControlPlane _control = null!;

    public async Task InitializeAsync() => _control = await ReferenceControlPlane.StartAsync();

    public async Task DisposeAsync() => await _control.DisposeAsync();

    private Task<McpTestServer> StartAsync(RemoteDecisionFailureMode mode = RemoteDecisionFailureMode.Local, int budgetMs = 2000) =>
        McpTestServer.StartAsync(o => o.RemoteDecisions = new RemoteDecisionConfig
        {
            Endpoint = new Uri(_control.BaseUrl, "/v1/runtime/evaluate"),
            FailureMode = mode,
            Budget = TimeSpan.FromMilliseconds(budgetMs),
            RetryBackoff = TimeSpan.FromMilliseconds(50),
            ApiKey = _control.ApiKey,
        });

    private static JsonElement Envelope(IReadOnlyList<JsonElement> envelopes, string tool) =>
        Assert.Single(envelopes, e => e.GetProperty("op").GetString() == "tools/call" && e.GetProperty("tool").GetString() == tool);

    [Fact]
    public async Task A_remote_allow_runs_a_tool_the_policy_denies()
    {
        _control.Evaluate = _ => ("allow", "reviewed_exception");
        await using var server = await StartAsync();

        var result = await server.CallAsync("forbidden_tool");

        Assert.NotEqual(true, result.IsError);
        Assert.Equal(1, server.Counter.Forbidden);
        var e = Envelope(await server.EnvelopesAsync(), "forbidden_tool");
        Assert.Equal("remote", e.GetProperty("decision_source").GetString());
        Assert.Equal("allow", e.GetProperty("policy").GetProperty("decision").GetString());
        Assert.Equal("reviewed_exception", e.GetProperty("policy").GetProperty("reason").GetString());

        var request = Assert.Single(_control.Requests).Json;
        var context = request.GetProperty("context");
        Assert.Equal("middleware", context.GetProperty("executionLayer").GetString());
        Assert.Equal("@coreax/sdk", context.GetProperty("integrationSurface").GetString());
        Assert.Equal("test-tools", context.GetProperty("server").GetString());
        Assert.Equal("forbidden_tool", context.GetProperty("tool").GetString());
        Assert.Equal(["tool_not_in_allowlist"], request.GetProperty("input").GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task A_clarify_answer_refuses_the_call_with_its_reason()
    {
        _control.Evaluate = _ => ("clarify", "which account?");
        await using var server = await StartAsync(RemoteDecisionFailureMode.Allow);

        var result = await server.CallAsync("forbidden_tool");

        Assert.True(result.IsError);
        Assert.Contains(RemoteDecider.ClarifyReason, McpTestServer.Text(result), StringComparison.Ordinal);
        Assert.Equal(0, server.Counter.Forbidden);
        var e = Envelope(await server.EnvelopesAsync(), "forbidden_tool");
        Assert.Equal("remote", e.GetProperty("decision_source").GetString());
        Assert.Equal(RemoteDecider.ClarifyReason, e.GetProperty("denial_reason").GetString());
        Assert.Equal("middleware", e.GetProperty("denial_level").GetString());
    }

    [Fact]
    public async Task A_clean_call_does_not_reach_the_remote_engine()
    {
        await using var server = await StartAsync();

        var result = await server.CallAsync("read_status");

        Assert.NotEqual(true, result.IsError);
        Assert.Empty(_control.Requests);
        Assert.Equal("local", Envelope(await server.EnvelopesAsync(), "read_status").GetProperty("decision_source").GetString());
    }

    [Fact]
    public async Task A_slow_remote_engine_costs_at_most_the_budget_and_the_failure_mode_decides()
    {
        _control.Fail(ControlPlaneRoute.Evaluate, new ControlPlaneFault(Delay: TimeSpan.FromSeconds(10)));
        await using var server = await StartAsync(RemoteDecisionFailureMode.Allow, budgetMs: 400);

        var clock = Stopwatch.StartNew();
        var result = await server.CallAsync("forbidden_tool");
        clock.Stop();

        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(400 + 1500), $"the call took {clock.Elapsed}");
        Assert.NotEqual(true, result.IsError);
        Assert.Equal(1, server.Counter.Forbidden);
        var e = Envelope(await server.EnvelopesAsync(), "forbidden_tool");
        Assert.Equal("fallback-allow", e.GetProperty("decision_source").GetString());
        Assert.Equal(RemoteDecider.FallbackAllowReason, e.GetProperty("policy").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_dead_remote_engine_with_failure_mode_local_keeps_the_policy_and_the_audit_log()
    {
        await using var server = await StartAsync(RemoteDecisionFailureMode.Local);
        await _control.DisposeAsync();

        var result = await server.CallAsync("forbidden_tool");

        Assert.True(result.IsError);
        Assert.Contains("tool_not_in_allowlist", McpTestServer.Text(result), StringComparison.Ordinal);
        var e = Envelope(await server.EnvelopesAsync(), "forbidden_tool");
        Assert.Equal("fallback-local", e.GetProperty("decision_source").GetString());
        Assert.Equal("tool_not_in_allowlist", e.GetProperty("denial_reason").GetString());
    }
}

using System.Diagnostics;
using System.Net;
using Sec0.Config;
using Sec0.ControlPlane;
using Sec0.Gateway.Entitlements;
using Sec0.Gateway.Tests.TestServers;
using Sec0.Gateway.Upstreams;
using Sec0.Policy;

namespace Sec0.Gateway.Tests.Gateway;

/// <summary>
/// Remote decisions in the gateway (<see cref="Sec0GatewayOptions.RemoteDecisions"/>): real requests through a gateway on
/// 127.0.0.1, the reference control plane deciding, the envelope saying which engine decided; entitlements stay local.
/// </summary>
public sealed class GatewayRemoteDecisionTests : IAsyncLifetime
{
    // mcp://tools/* is outside the policy's allowlist: tool_not_in_allowlist, which denies.
    private const string DenyPolicy = "tenant: acme\ntools: { allowlist: [\"mcp://other/*@*\"] }\nenforcement: { mode: enforce, deny_on: [tool_not_in_allowlist] }\n";

    // The same violation, recorded only.
    private const string RecordPolicy = "tenant: acme\ntools: { allowlist: [\"mcp://other/*@*\"] }\n";

    private ReferenceControlPlane _control = null!;
    private McpHttpTestServer _upstream = null!;

    public async Task InitializeAsync()
    {
        _control = await ReferenceControlPlane.StartAsync();
        _upstream = await McpHttpTestServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _upstream.DisposeAsync();
        await _control.DisposeAsync();
    }

    private Task<GatewayHarness> StartAsync(string policy, RemoteDecisionFailureMode mode = RemoteDecisionFailureMode.Local, int budgetMs = 2000, GatewayEntitlements? entitlements = null) =>
        GatewayHarness.StartAsync(o =>
        {
            o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = _upstream.Url };
            o.Policy = PolicyLoader.Parse(policy, "policy.yaml");
            o.Entitlements = entitlements;
            o.RemoteDecisions = new RemoteDecisionConfig
            {
                Endpoint = new Uri(_control.BaseUrl, "/v1/runtime/evaluate"),
                FailureMode = mode,
                Budget = TimeSpan.FromMilliseconds(budgetMs),
                RetryBackoff = TimeSpan.FromMilliseconds(50),
                ApiKey = _control.ApiKey,
            };
        });

    [Fact]
    public async Task A_remote_allow_forwards_a_request_the_policy_denies()
    {
        _control.Evaluate = _ => ("allow", "reviewed_exception");
        await using var gateway = await StartAsync(DenyPolicy);

        using var response = await gateway.PostAsync("mcp/tools/count@1.0.0", configure: r => r.Headers.TryAddWithoutValidation("x-node-id", "billing-agent"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, _upstream.State.Count);
        var e = await gateway.EnvelopeOfAsync(response);
        Assert.Equal("remote", e.GetProperty("decision_source").GetString());
        Assert.Equal("allow", e.GetProperty("policy").GetProperty("decision").GetString());
        Assert.Equal("reviewed_exception", e.GetProperty("policy").GetProperty("reason").GetString());

        var context = Assert.Single(_control.Requests).Json.GetProperty("context");
        Assert.Equal("gateway", context.GetProperty("executionLayer").GetString());
        Assert.Equal("acme", context.GetProperty("tenant").GetString());
        Assert.Equal("tools", context.GetProperty("server").GetString());
        Assert.Equal("count", context.GetProperty("tool").GetString());
        Assert.Equal("billing-agent", context.GetProperty("nodeId").GetString());
    }

    [Fact]
    public async Task A_remote_deny_refuses_a_request_the_policy_only_records()
    {
        _control.Evaluate = _ => ("deny", "remote_rule_7");
        await using var gateway = await StartAsync(RecordPolicy);

        using var response = await gateway.PostAsync("mcp/tools/count@1.0.0");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("remote_rule_7", (await GatewayHarness.JsonAsync(response)).GetProperty("denial_reason").GetString());
        Assert.Equal(0, _upstream.State.Count);
        var e = await gateway.EnvelopeOfAsync(response);
        Assert.Equal("remote", e.GetProperty("decision_source").GetString());
        Assert.Equal("remote_rule_7", e.GetProperty("denial_reason").GetString());
        Assert.True(gateway.Verify().IsIntact);
    }

    [Fact]
    public async Task An_entitlement_refusal_stays_local()
    {
        _control.Evaluate = _ => ("allow", null);
        var entitlements = new GatewayEntitlements
        {
            DefaultPlan = "free",
            Plans = new Dictionary<string, long?> { ["free"] = null },
            Tenants = new Dictionary<string, TenantEntitlement> { [GatewayHarness.Tenant] = new() { Allowlist = [ToolRefPattern.Parse("mcp://tools/echo@*")] } },
        };
        await using var gateway = await StartAsync("tenant: acme\nenforcement: { mode: enforce, deny_on: [tool_not_in_allowlist] }\n", entitlements: entitlements);

        using var response = await gateway.PostAsync("mcp/tools/count@1.0.0");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(_control.Requests);
        Assert.Equal("local", (await gateway.EnvelopeOfAsync(response)).GetProperty("decision_source").GetString());
    }

    [Fact]
    public async Task A_clean_request_does_not_reach_the_remote_engine()
    {
        await using var gateway = await StartAsync("tenant: acme\n");

        using var response = await gateway.PostAsync("mcp/tools/count@1.0.0");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(_control.Requests);
        Assert.Equal("local", (await gateway.EnvelopeOfAsync(response)).GetProperty("decision_source").GetString());
    }

    [Fact]
    public async Task A_slow_remote_engine_costs_at_most_the_budget_and_the_failure_mode_decides()
    {
        _control.Fail(ControlPlaneRoute.Evaluate, new ControlPlaneFault(Delay: TimeSpan.FromSeconds(10)));
        await using var gateway = await StartAsync(RecordPolicy, RemoteDecisionFailureMode.Deny, budgetMs: 400);

        var clock = Stopwatch.StartNew();
        using var response = await gateway.PostAsync("mcp/tools/count@1.0.0");
        clock.Stop();

        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(400 + 1500), $"the request took {clock.Elapsed}");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(RemoteDecider.FallbackDenyReason, (await GatewayHarness.JsonAsync(response)).GetProperty("denial_reason").GetString());
        Assert.Equal(0, _upstream.State.Count);
        Assert.Equal("fallback-deny", (await gateway.EnvelopeOfAsync(response)).GetProperty("decision_source").GetString());
    }
}

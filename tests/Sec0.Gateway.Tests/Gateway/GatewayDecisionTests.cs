using System.Globalization;
using System.Net;
using Sec0.Gateway.Entitlements;
using Sec0.Gateway.State;
using Sec0.Gateway.Tests.TestServers;
using Sec0.Gateway.Upstreams;
using Sec0.Policy;

namespace Sec0.Gateway.Tests.Gateway;

/// <summary>Entitlements, policy and quotas, decided before the tool runs; a refusal never reaches the tool.</summary>
public sealed class GatewayDecisionTests
{
    private static GatewayEntitlements Entitled(string allow, ToolLimits? limits = null, string? deny = null, string? plan = null, long? planDaily = null) => new()
    {
        DefaultPlan = "free",
        Plans = new Dictionary<string, long?> { ["free"] = planDaily },
        Tenants = new Dictionary<string, TenantEntitlement>
        {
            [GatewayHarness.Tenant] = new()
            {
                Plan = plan,
                Allowlist = [ToolRefPattern.Parse(allow)],
                Denylist = deny is null ? [] : [ToolRefPattern.Parse(deny)],
                PerTool = limits is null ? new Dictionary<string, ToolLimits>() : new Dictionary<string, ToolLimits> { ["mcp://tools/count@1.0.0"] = limits },
            },
        },
    };

    [Fact]
    public async Task A_tool_outside_the_tenants_entitlements_is_a_403_with_the_sec0_text_and_never_runs()
    {
        await using var upstream = await McpHttpTestServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(o =>
        {
            o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = upstream.Url };
            o.Entitlements = Entitled("mcp://tools/echo@*");
            o.Policy = PolicyLoader.Parse("tenant: acme\nenforcement: { mode: enforce, deny_on: [tool_not_in_allowlist] }\n", "policy.yaml");
        });

        using var allowed = await gateway.PostAsync("mcp/tools/echo@1.0.0");
        using var denied = await gateway.PostAsync("mcp/tools/count@1.0.0");

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        GatewayHarness.AssertTraceHeaders(denied);
        var body = await GatewayHarness.JsonAsync(denied);
        Assert.Equal("TOOL_NOT_ALLOWED", body.GetProperty("error").GetString());
        Assert.Equal("TOOL_NOT_ALLOWED: add mcp://tools/count@1.0.0 to tenant 'acme' allowlist", body.GetProperty("message").GetString());
        Assert.Equal("gateway", body.GetProperty("denial_level").GetString());
        Assert.Equal("tool_not_in_allowlist", body.GetProperty("denial_reason").GetString());
        Assert.Equal(0, upstream.State.Count);
        var e = await gateway.EnvelopeOfAsync(denied);
        Assert.Equal("deny", e.GetProperty("policy").GetProperty("decision").GetString());
        Assert.Equal("tool_not_in_allowlist", e.GetProperty("denial_reason").GetString());
        Assert.Equal(403, e.GetProperty("http_status").GetInt32());
    }

    [Fact]
    public async Task A_denylist_entry_wins_over_an_allowlist_entry()
    {
        await using var upstream = await McpHttpTestServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(o =>
        {
            o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = upstream.Url };
            o.Entitlements = Entitled("mcp://tools/*@*", deny: "mcp://tools/count@*");
            o.Policy = PolicyLoader.Parse("tenant: acme\nenforcement: { mode: enforce, deny_on: [tool_not_in_allowlist] }\n", "policy.yaml");
        });

        using var denied = await gateway.PostAsync("mcp/tools/count@1.0.0");

        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Equal(0, upstream.State.Count);
    }

    [Fact]
    public async Task A_policy_denial_has_its_own_reason_code_not_always_tool_not_allowed()
    {
        await using var upstream = await McpHttpTestServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(o =>
        {
            o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = upstream.Url };
            o.Policy = PolicyLoader.Parse("tenant: acme\ntools: { deny_if_unpinned_version: true }\nenforcement: { mode: enforce, deny_on: [version_unpinned] }\n", "policy.yaml");
        });

        using var denied = await gateway.PostAsync("mcp/tools/count@latest");

        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        var body = await GatewayHarness.JsonAsync(denied);
        Assert.Equal("VERSION_UNPINNED", body.GetProperty("error").GetString());
        Assert.Equal("version_unpinned", body.GetProperty("denial_reason").GetString());
        Assert.Equal(0, upstream.State.Count);
    }

    [Fact]
    public async Task Observe_mode_records_would_deny_and_forwards()
    {
        await using var upstream = await McpHttpTestServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(o =>
        {
            o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = upstream.Url };
            o.Entitlements = Entitled("mcp://tools/echo@*");
            o.Policy = PolicyLoader.Parse("tenant: acme\nenforcement: { mode: observe, deny_on: [tool_not_in_allowlist] }\n", "policy.yaml");
        });

        using var response = await gateway.PostAsync("mcp/tools/count@1.0.0");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, upstream.State.Count);
        var e = await gateway.EnvelopeOfAsync(response);
        Assert.Equal("would_deny", e.GetProperty("policy").GetProperty("decision").GetString());
        Assert.Equal("tool_not_in_allowlist", e.GetProperty("decision_reason").GetString());
    }

    [Fact]
    public async Task The_rate_limit_refuses_with_429_and_retry_after_once_the_burst_is_spent()
    {
        await using var upstream = await McpHttpTestServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(o =>
        {
            o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = upstream.Url };
            o.Entitlements = Entitled("mcp://tools/*@*", new ToolLimits(RatePerSecond: 0.01, CallsPerDay: null));
            o.QuotaStore = new InMemoryQuotaStore();
        });

        // Burst = twice the rate, at least 1: one call passes, the next is refused.
        using var first = await gateway.PostAsync("mcp/tools/count@1.0.0");
        using var second = await gateway.PostAsync("mcp/tools/count@1.0.0");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("0", GatewayHarness.Header(first, "x-rate-remaining"));
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        GatewayHarness.AssertTraceHeaders(second);
        Assert.Equal("RATE_LIMITED", (await GatewayHarness.JsonAsync(second)).GetProperty("error").GetString());
        var retryAfter = int.Parse(GatewayHarness.Header(second, "Retry-After")!, CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 90, 100);
        Assert.Equal(1, upstream.State.Count);
        Assert.Equal("rate_limited", (await gateway.EnvelopeOfAsync(second)).GetProperty("denial_reason").GetString());
    }

    [Fact]
    public async Task The_daily_quota_refuses_with_429_and_the_next_utc_midnight()
    {
        await using var upstream = await McpHttpTestServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(o =>
        {
            o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = upstream.Url };
            o.Entitlements = Entitled("mcp://tools/*@*", planDaily: 2);
            o.QuotaStore = new InMemoryQuotaStore();
        });

        using var one = await gateway.PostAsync("mcp/tools/count@1.0.0");
        using var two = await gateway.PostAsync("mcp/tools/count@1.0.0");
        using var three = await gateway.PostAsync("mcp/tools/count@1.0.0");

        Assert.Equal("1", GatewayHarness.Header(one, "x-quota-remaining"));
        Assert.Equal("0", GatewayHarness.Header(two, "x-quota-remaining"));
        Assert.Equal(HttpStatusCode.TooManyRequests, three.StatusCode);
        Assert.Equal("QUOTA_EXCEEDED", (await GatewayHarness.JsonAsync(three)).GetProperty("error").GetString());
        var midnight = DateTime.UtcNow.Date.AddDays(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        Assert.Equal(midnight, GatewayHarness.Header(three, "x-quota-reset-at"));
        Assert.Equal(2, upstream.State.Count);
    }

    [Fact]
    public async Task A_thousand_concurrent_calls_at_a_daily_limit_of_100_let_exactly_100_through()
    {
        await using var upstream = await McpHttpTestServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(o =>
        {
            o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = upstream.Url };
            o.Entitlements = Entitled("mcp://tools/*@*", new ToolLimits(RatePerSecond: null, CallsPerDay: 100));
            o.QuotaStore = new InMemoryQuotaStore();
        });

        var responses = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => gateway.PostAsync("mcp/tools/count@1.0.0")));

        Assert.Equal(100, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(900, responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        Assert.Equal(100, upstream.State.Count);
        var envelopes = await gateway.EnvelopesAsync();
        Assert.Equal(1000, envelopes.Count);
        Assert.Equal(900, envelopes.Count(e => e.GetProperty("http_status").GetInt32() == 429));
        Assert.True(gateway.Verify().IsIntact);
        foreach (var r in responses)
        {
            r.Dispose();
        }
    }

    [Fact]
    public async Task A_replay_does_not_spend_quota()
    {
        await using var upstream = await McpHttpTestServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(o =>
        {
            o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = upstream.Url };
            o.Entitlements = Entitled("mcp://tools/*@*", planDaily: 1);
            o.QuotaStore = new InMemoryQuotaStore();
        });

        using var first = await gateway.PostAsync("mcp/tools/count@1.0.0", "{}", "once");
        using var replay = await gateway.PostAsync("mcp/tools/count@1.0.0", "{}", "once");
        using var fresh = await gateway.PostAsync("mcp/tools/count@1.0.0", "{}", "twice");

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal("replay", GatewayHarness.Header(replay, "x-dedupe"));
        Assert.Equal(HttpStatusCode.TooManyRequests, fresh.StatusCode);
    }
}

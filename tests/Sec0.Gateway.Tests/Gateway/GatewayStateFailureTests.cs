using System.Net;
using Sec0.Gateway.Entitlements;
using Sec0.Gateway.State;
using Sec0.Gateway.Tests.TestServers;
using Sec0.Gateway.Upstreams;
using Sec0.Policy;

namespace Sec0.Gateway.Tests.Gateway;

/// <summary>When the shared state cannot be reached: 503 and no call by default, a recorded forward with fail_open.</summary>
public sealed class GatewayStateFailureTests
{
    /// <summary>A store whose database is down: every operation fails as a network error would.</summary>
    private sealed class UnreachableStore : IIdempotencyStore, IQuotaStore
    {
        private static IOException Down() => new("connection refused (the state database is down)");

        public ValueTask<IdempotencyClaim> ClaimAsync(IdempotencyKey key, string requestHash, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken) => throw Down();

        public ValueTask<bool> CompleteAsync(IdempotencyKey key, string leaseId, StoredResponse response, TimeSpan ttl, DateTimeOffset now, CancellationToken cancellationToken) => throw Down();

        public ValueTask ReleaseAsync(IdempotencyKey key, string leaseId, CancellationToken cancellationToken) => throw Down();

        public ValueTask<IdempotencyClaim> WaitAsync(IdempotencyKey key, string requestHash, TimeSpan lease, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken) => throw Down();

        public ValueTask<RateDecision> TryTakeAsync(string tenant, string toolRef, double ratePerSecond, int burst, DateTimeOffset now, CancellationToken cancellationToken) => throw Down();

        public ValueTask<DailyDecision> TryCountAsync(string tenant, string toolRef, long limit, DateTimeOffset now, CancellationToken cancellationToken) => throw Down();
    }

    private static void Configure(Sec0GatewayOptions o, Uri upstream, bool failOpen, bool quotasOnly)
    {
        var store = new UnreachableStore();
        o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = upstream };
        o.StateFailOpen = failOpen;
        o.QuotaStore = store;
        o.Entitlements = new GatewayEntitlements
        {
            DefaultPlan = "free",
            Plans = new Dictionary<string, long?> { ["free"] = 100 },
            Tenants = new Dictionary<string, TenantEntitlement> { [GatewayHarness.Tenant] = new() { Allowlist = [ToolRefPattern.Parse("mcp://tools/*@*")] } },
        };
        if (quotasOnly)
        {
            o.Dedupe.Enabled = true;
        }
        else
        {
            o.Dedupe.Store = store;
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Unreachable_state_fails_closed_with_503_and_the_tool_does_not_run(bool quotasOnly)
    {
        await using var upstream = await McpHttpTestServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(o => Configure(o, upstream.Url, failOpen: false, quotasOnly));

        using var response = await gateway.PostAsync("mcp/tools/count@1.0.0");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        GatewayHarness.AssertTraceHeaders(response);
        Assert.Equal("STATE_UNAVAILABLE", (await GatewayHarness.JsonAsync(response)).GetProperty("error").GetString());
        Assert.Equal(0, upstream.State.Count);
        var e = await gateway.EnvelopeOfAsync(response);
        Assert.Equal(503, e.GetProperty("http_status").GetInt32());
        Assert.Equal("state_unavailable", e.GetProperty("denial_reason").GetString());
    }

    [Fact]
    public async Task With_fail_open_the_call_is_forwarded_and_the_envelope_says_the_state_was_unavailable()
    {
        await using var upstream = await McpHttpTestServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(o => Configure(o, upstream.Url, failOpen: true, quotasOnly: false));

        using var response = await gateway.PostAsync("mcp/tools/count@1.0.0");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, upstream.State.Count);
        var e = await gateway.EnvelopeOfAsync(response);
        Assert.Equal("state_unavailable", e.GetProperty("decision_reason").GetString());
        Assert.True(gateway.Verify().IsIntact);
    }
}

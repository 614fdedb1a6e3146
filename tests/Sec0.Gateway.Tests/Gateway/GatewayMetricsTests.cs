using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Sec0.Gateway.Entitlements;
using Sec0.Gateway.State;
using Sec0.Gateway.Tests.TestServers;
using Sec0.Gateway.Upstreams;
using Sec0.Policy;

namespace Sec0.Gateway.Tests.Gateway;

/// <summary>
/// The gateway's counters on the <c>Sec0</c> Meter, seen by a <see cref="MeterListener"/> while a real gateway on
/// 127.0.0.1 allows, denies and rate- or quota-limits requests: every request is counted once, by its outcome.
/// </summary>
/// <remarks>
/// Metrics are process-global and other gateway tests run in parallel, and the gateway instruments carry no tag
/// that tells one gateway from another. So every request here sends a <c>traceparent</c> with a trace id of this
/// test's own, an <see cref="ActivityListener"/> samples only that trace (other requests still get no span), and
/// the meter listener keeps only measurements made while that trace's gateway span is current. The counts are
/// exact.
/// </remarks>
public sealed class GatewayMetricsTests : IDisposable
{
    private const string Count = "mcp://tools/count@1.0.0";
    private const string Echo = "mcp://tools/echo@1.0.0";

    private readonly ActivityTraceId _traceId = ActivityTraceId.CreateRandom();
    private readonly ActivityListener _spans;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Name, long Value, Dictionary<string, object?> Tags)> _measurements = new();

    public GatewayMetricsTests()
    {
        _spans = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Sec0",
            Sample = (ref ActivityCreationOptions<ActivityContext> options) => options.Parent.TraceId == _traceId ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
        };
        ActivitySource.AddActivityListener(_spans);

        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Sec0")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(Add);
        _listener.Start();
    }

    public void Dispose()
    {
        _listener.Dispose();
        _spans.Dispose();
    }

    private void Add(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (Activity.Current?.TraceId != _traceId)
        {
            return;
        }

        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _measurements.Enqueue((instrument.Name, value, copy));
    }

    /// <summary>The sum of <paramref name="name"/> per value of its tag <paramref name="tag"/>.</summary>
    private Dictionary<string, long> Sums(string name, string tag) => _measurements
        .Where(m => m.Name == name)
        .GroupBy(m => (string)m.Tags[tag]!)
        .ToDictionary(g => g.Key, g => g.Sum(m => m.Value), StringComparer.Ordinal);

    private Task<HttpResponseMessage> PostAsync(GatewayHarness gateway, string tool)
        => gateway.PostAsync("mcp/tools/" + tool, configure: r => r.Headers.TryAddWithoutValidation("traceparent", "00-" + _traceId.ToHexString() + "-" + ActivitySpanId.CreateRandom().ToHexString() + "-01"));

    [Fact]
    public async Task Requests_are_counted_once_by_outcome_and_quota_rejections_by_reason()
    {
        await using var upstream = await McpHttpTestServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(o =>
        {
            o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = upstream.Url };
            o.Entitlements = new GatewayEntitlements
            {
                DefaultPlan = "free",
                Plans = new Dictionary<string, long?> { ["free"] = null },
                Tenants = new Dictionary<string, TenantEntitlement>
                {
                    [GatewayHarness.Tenant] = new()
                    {
                        Allowlist = [ToolRefPattern.Parse("mcp://tools/count@*"), ToolRefPattern.Parse("mcp://tools/echo@*")],
                        // count: three calls a day; echo: a burst of one, then refused for about 100 s.
                        PerTool = new Dictionary<string, ToolLimits>
                        {
                            [Count] = new(RatePerSecond: null, CallsPerDay: 3),
                            [Echo] = new(RatePerSecond: 0.01, CallsPerDay: null),
                        },
                    },
                },
            };
            o.Policy = PolicyLoader.Parse("tenant: acme\nenforcement: { mode: enforce, deny_on: [tool_not_in_allowlist] }\n", "policy.yaml");
            o.QuotaStore = new InMemoryQuotaStore();
        });

        var statuses = new List<HttpStatusCode>();
        foreach (var tool in new[] { "count@1.0.0", "count@1.0.0", "count@1.0.0", "echo@1.0.0", "fail@1.0.0", "count@1.0.0", "count@1.0.0", "echo@1.0.0" })
        {
            using var response = await PostAsync(gateway, tool);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(
            [HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Forbidden, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests],
            statuses);
        Assert.Equal(3, upstream.State.Count);

        // A request refused by a quota was allowed by policy first: it counts as allow and as a quota rejection.
        var requests = Sums("sec0.gateway.requests", "sec0.decision.outcome");
        Assert.Equal(new Dictionary<string, long> { ["allow"] = 7, ["deny"] = 1 }, requests);
        var rejections = Sums("sec0.gateway.quota.rejections", "error.type");
        Assert.Equal(new Dictionary<string, long> { ["quota_exceeded"] = 2, ["rate_limited"] = 1 }, rejections);

        // The gateway's decisions are the same requests in sec0.decisions: counted once there too.
        Assert.Equal(requests, Sums("sec0.decisions", "sec0.decision.outcome"));
        var denial = Assert.Single(_measurements, m => m.Name == "sec0.denials");
        Assert.Equal("tool_not_in_allowlist", denial.Tags["sec0.decision.reason"]);
    }
}

using System.Diagnostics;
using System.Text.Json;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Sec0.Hops;
using Sec0.Instrumentation.Tests.Hops;
using Sec0.Instrumentation.Tests.Support;

namespace Sec0.Instrumentation.Tests.Telemetry;

/// <summary>
/// An application's own OpenTelemetry setup with <c>AddSec0Instrumentation()</c> and the in-memory exporter: real hop
/// calls give spans with the envelopes' trace ids and the GenAI tool attributes, and the Sec0 metrics arrive.
/// </summary>
[Collection(nameof(Sec0AppCollection))]
public sealed class OpenTelemetryExportTests : IDisposable
{
    private readonly TempDirectory _dir = new("sec0-otel");
    private readonly Ledger _ledger = new();
    private readonly List<Activity> _spans = [];
    private readonly List<Metric> _metrics = [];
    private readonly TracerProvider _tracer;
    private readonly MeterProvider _meter;

    public OpenTelemetryExportTests()
    {
        _tracer = Sdk.CreateTracerProviderBuilder().AddSec0Instrumentation().AddInMemoryExporter(_spans).Build();
        _meter = Sdk.CreateMeterProviderBuilder().AddSec0Instrumentation().AddInMemoryExporter(_metrics).Build();
    }

    public void Dispose()
    {
        _tracer.Dispose();
        _meter.Dispose();
        Sec0App.Current?.Dispose();
        _dir.Dispose();
    }

    private Sec0App Start() => LedgerApp.Start(_dir, "otel-tests");

    private static async Task<List<JsonElement>> EnvelopesAsync(Sec0App app)
    {
        await app.FlushAsync();
        return [.. Directory.GetFiles(app.AuditDirectory, "audit-*.ndjson").SelectMany(File.ReadAllLines)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone()).Where(e => !e.TryGetProperty("record", out _))];
    }

    private static string? Tag(Activity span, string name) => span.GetTagItem(name)?.ToString();

    [Fact]
    public async Task A_tool_hop_gives_an_execute_tool_span_with_its_envelopes_trace_id()
    {
        await using var app = Start();

        _ledger.Transfer("acme", 5m);
        _tracer.ForceFlush();

        var span = Assert.Single(_spans, s => Tag(s, "sec0.hop") == "Ledger.Transfer");
        Assert.Equal("execute_tool transfer", span.DisplayName);
        Assert.Equal("execute_tool", Tag(span, "gen_ai.operation.name"));
        Assert.Equal("transfer", Tag(span, "gen_ai.tool.name"));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);

        var envelope = Assert.Single(await EnvelopesAsync(app), e => e.GetProperty("hop").GetString() == "Ledger.Transfer");
        Assert.Equal(span.TraceId.ToHexString(), envelope.GetProperty("trace_id").GetString());
        Assert.Equal(span.SpanId.ToHexString(), envelope.GetProperty("span_id").GetString());
    }

    [Fact]
    public async Task An_agent_hop_gives_an_invoke_agent_span_named_after_the_agent()
    {
        await using var app = Start();
        var fetch = new HopDescriptor("Researcher.Fetch", HopType.Agent, "sha256:v1:" + new string('2', 64), "Researcher.cs", 1, 9, "Task<string> Researcher.Fetch()");

        // The policy's allowlist names only the transfer tool, so the agent is denied: its span is named all the same.
        Assert.Throws<Sec0PolicyDeniedException>(() => HopRuntime.Begin(fetch));
        _tracer.ForceFlush();

        var span = Assert.Single(_spans, s => Tag(s, "sec0.hop") == "Researcher.Fetch");
        Assert.Equal("invoke_agent research-agent", span.DisplayName);
        Assert.Equal("invoke_agent", Tag(span, "gen_ai.operation.name"));
        Assert.Equal("research-agent", Tag(span, "gen_ai.agent.name"));
        Assert.Equal("researcher", Tag(span, "gen_ai.agent.id"));
        Assert.Equal("tool_not_in_allowlist", Tag(span, "error.type"));
        var envelope = Assert.Single(await EnvelopesAsync(app), e => e.GetProperty("hop").GetString() == "Researcher.Fetch");
        Assert.Equal(span.TraceId.ToHexString(), envelope.GetProperty("trace_id").GetString());
    }

    [Fact]
    public async Task A_denied_hop_ends_its_span_with_an_error_status_and_the_reason_as_error_type()
    {
        await using var app = Start();

        Assert.Throws<Sec0PolicyDeniedException>(() => _ledger.Refund("acme", 5m));
        _tracer.ForceFlush();

        var span = Assert.Single(_spans, s => Tag(s, "sec0.hop") == "Ledger.Refund");
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("tool_not_in_allowlist", Tag(span, "error.type"));
        var envelope = Assert.Single(await EnvelopesAsync(app), e => e.GetProperty("hop").GetString() == "Ledger.Refund");
        Assert.Equal(span.TraceId.ToHexString(), envelope.GetProperty("trace_id").GetString());
    }

    [Fact]
    public async Task The_metrics_arrive_through_the_meter_provider()
    {
        await using var app = Start();

        _ledger.Transfer("acme", 5m);
        Assert.Throws<Sec0PolicyDeniedException>(() => _ledger.Refund("acme", 5m));
        await app.FlushAsync();
        _meter.ForceFlush();

        var decisions = Assert.Single(_metrics, m => m.Name == "sec0.decisions");
        var denied = 0L;
        foreach (ref readonly var point in decisions.GetMetricPoints())
        {
            var outcome = "";
            foreach (var tag in point.Tags)
            {
                outcome = tag.Key == "sec0.decision.outcome" ? (string)tag.Value! : outcome;
            }

            denied += outcome == "deny" ? point.GetSumLong() : 0;
        }

        Assert.True(denied >= 1);
        var duration = Assert.Single(_metrics, m => m.Name == "sec0.hop.duration");
        Assert.Equal("s", duration.Unit);
        Assert.Contains(_metrics, m => m.Name == "sec0.audit.envelopes.written");
        Assert.Contains(_metrics, m => m.Name == "sec0.audit.queue.depth");
    }
}

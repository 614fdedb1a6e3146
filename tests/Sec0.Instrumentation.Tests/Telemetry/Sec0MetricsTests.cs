using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Sec0.Instrumentation.Tests.Hops;
using Sec0.Instrumentation.Tests.Support;

namespace Sec0.Instrumentation.Tests.Telemetry;

/// <summary>
/// The <c>Sec0</c> Meter seen by a <see cref="MeterListener"/> while real <c>[Sec0Hop]</c> calls run through their
/// generated interceptors and their envelopes are written to a real audit log.
/// </summary>
[Collection(nameof(Sec0AppCollection))]
public sealed class Sec0MetricsTests : IDisposable
{
    private readonly TempDirectory _dir = new("sec0-metrics");
    private readonly Ledger _ledger = new();
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Name, double Value, Dictionary<string, object?> Tags)> _measurements = new();

    public Sec0MetricsTests()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Sec0")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
    }

    public void Dispose()
    {
        _listener.Dispose();
        Sec0App.Current?.Dispose();
        _dir.Dispose();
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _measurements.Enqueue((instrument.Name, value, copy));
    }

    private Sec0App Start() => LedgerApp.Start(_dir, "metrics-tests");

    private List<(string Name, double Value, Dictionary<string, object?> Tags)> Named(string name) => _measurements.Where(m => m.Name == name).ToList();

    [Fact]
    public async Task A_denied_hop_counts_a_deny_decision_with_its_reason_and_an_allowed_hop_its_duration()
    {
        await using var app = Start();

        Assert.Equal("sent 5 to acme", _ledger.Transfer("acme", 5m));
        Assert.Throws<Sec0PolicyDeniedException>(() => _ledger.Refund("acme", 5m));

        Assert.Contains(Named("sec0.decisions"), m => Equals(m.Tags["sec0.decision.outcome"], "deny") && Equals(m.Tags["sec0.decision.reason"], "tool_not_in_allowlist") && m.Value == 1);
        Assert.Contains(Named("sec0.decisions"), m => Equals(m.Tags["sec0.decision.outcome"], "allow"));
        Assert.Contains(Named("sec0.denials"), m => Equals(m.Tags["sec0.decision.reason"], "tool_not_in_allowlist"));

        // Only the call that ran has a duration; the denied one never started.
        var durations = Named("sec0.hop.duration").Where(m => ((string?)m.Tags["sec0.hop"])?.StartsWith("Ledger.", StringComparison.Ordinal) == true).ToList();
        var transfer = Assert.Single(durations);
        Assert.Equal("Ledger.Transfer", transfer.Tags["sec0.hop"]);
        Assert.Equal("tool", transfer.Tags["sec0.node_type"]);
        Assert.InRange(transfer.Value, 0, 60);
        Assert.False(transfer.Tags.ContainsKey("error.type"));
    }

    [Fact]
    public async Task The_writer_thread_reports_envelopes_written_and_write_fsync_and_signing_times_and_the_queue_depth_is_observable()
    {
        await using var app = Start();

        _ledger.Transfer("acme", 1m);
        _ledger.Transfer("acme", 2m);
        await app.FlushAsync();
        _listener.RecordObservableInstruments();

        // At least the two envelopes of the calls (start-up records are not envelopes).
        Assert.True(Named("sec0.audit.envelopes.written").Sum(m => m.Value) >= 2);
        Assert.NotEmpty(Named("sec0.audit.write.duration"));
        Assert.NotEmpty(Named("sec0.audit.fsync.duration"));
        var signatures = Named("sec0.audit.sign.duration");
        Assert.NotEmpty(signatures);
        Assert.All(signatures, m => Assert.InRange(m.Value, 0, 10));
        Assert.Contains(Named("sec0.audit.queue.depth"), m => Equals(m.Tags["sec0.audit.directory"], app.AuditDirectory) && m.Value == 0);
    }
}

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Sec0.Instrumentation.Tests.Scanning;
using Sec0.Policy;
using Sec0.Scanning;

namespace Sec0.Instrumentation.Tests.Telemetry;

/// <summary>
/// <c>sec0.scan.verdicts</c> seen by a <see cref="MeterListener"/> while a real <see cref="SastVerdictCache"/> scans
/// with a fake scanner: one count per verdict reached, by kind and by the verdict's status.
/// </summary>
/// <remarks>
/// Metrics are process-global and other scanning tests run in parallel with the same tags. A scan runs on a
/// <see cref="Task.Run(Action)"/> that carries its caller's execution context, so the listener keeps only
/// measurements made where this test's <see cref="AsyncLocal{T}"/> is set: the counts are exact.
/// </remarks>
public sealed class ScanVerdictMetricsTests : IDisposable
{
    private const string Clean = "sha256:v1:c1ea";
    private const string Vulnerable = "sha256:v1:bad0";
    private const string Crashing = "sha256:v1:dead";

    private static readonly SastPolicyOptions s_policy = new() { Enabled = true, BlockOnSeverity = ScanSeverity.High, CacheTtlMs = 60_000 };

    private readonly AsyncLocal<bool> _inThisTest = new();
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(long Value, Dictionary<string, object?> Tags)> _verdicts = new();

    public ScanVerdictMetricsTests()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Sec0" && instrument.Name == "sec0.scan.verdicts")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(Add);
        _listener.Start();
    }

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (!_inThisTest.Value)
        {
            return;
        }

        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _verdicts.Enqueue((value, copy));
    }

    private static SastScanInfo Info(string hash) => new() { Server = "app", Tool = "Pay.Charge", HandlerHash = hash };

    [Fact]
    public async Task Each_scan_counts_one_verdict_by_status_however_many_callers_read_or_join_it()
    {
        _inThisTest.Value = true;
        var scanner = new FakeSastScanner((info, _) => info.HandlerHash switch
        {
            Clean => Task.FromResult(new SastScanResult { Status = ScanStatus.Pass }),
            // The scanner says pass, the threshold says fail: the verdict's status is what is counted.
            Vulnerable => Task.FromResult(new SastScanResult { Status = ScanStatus.Pass, Findings = [new SastFinding { Code = "sqli", Severity = ScanSeverity.Critical, Message = "m" }] }),
            _ => throw new InvalidOperationException("semgrep exploded"),
        });
        using var cache = new SastVerdictCache(scanner, s_policy);

        // Many readers at once start (or find) one scan per hash, then join it.
        string[] hashes = [Clean, Vulnerable, Crashing];
        await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Task.Run(() => cache.GetVerdict(Info(hashes[i % 3])))));
        var verdicts = await Task.WhenAll(hashes.Select(h => cache.ScanAsync(Info(h))));
        Assert.Equal([ScanStatus.Pass, ScanStatus.Fail, ScanStatus.Error], verdicts.Select(v => v.Status));

        // A fresh verdict is read from the cache: no scan, no new count.
        Assert.Equal(ScanStatus.Pass, cache.GetVerdict(Info(Clean)).Status);
        Assert.Equal(3, scanner.Calls);

        Assert.All(_verdicts, m => Assert.Equal("sast", m.Tags["sec0.scan.kind"]));
        var byStatus = _verdicts.GroupBy(m => (string)m.Tags["sec0.scan.status"]!).ToDictionary(g => g.Key, g => g.Sum(m => m.Value), StringComparer.Ordinal);
        Assert.Equal(new Dictionary<string, long> { ["pass"] = 1, ["fail"] = 1, ["error"] = 1 }, byStatus);
    }

    [Fact]
    public async Task A_forced_rescan_counts_its_new_verdict()
    {
        _inThisTest.Value = true;
        var calls = 0;
        var scanner = new FakeSastScanner((_, _) => Task.FromResult(Interlocked.Increment(ref calls) == 1
            ? new SastScanResult { Status = ScanStatus.Fail }
            : new SastScanResult { Status = ScanStatus.Pass }));
        using var cache = new SastVerdictCache(scanner, s_policy);

        Assert.Equal(ScanStatus.Fail, (await cache.ScanAsync(Info(Clean))).Status);
        Assert.Equal(ScanStatus.Fail, (await cache.ScanAsync(Info(Clean))).Status);
        Assert.Equal(ScanStatus.Pass, (await cache.ScanAsync(Info(Clean), rescan: true)).Status);

        Assert.Equal(["fail", "pass"], _verdicts.Select(m => (string)m.Tags["sec0.scan.status"]!));
    }
}

using Sec0.Instrumentation.Tests.Support;
using Sec0.Policy;
using Sec0.Scanning;

namespace Sec0.Instrumentation.Tests.Scanning;

public class SastVerdictCacheTests
{
    private const string Hash = "sha256:v1:aaaa";
    private static readonly SastScanInfo s_info = new() { Server = "app", Tool = "Pay.Charge", HandlerHash = Hash };
    private static readonly SastPolicyOptions s_policy = new() { Enabled = true, BlockOnChange = true, BlockOnSeverity = ScanSeverity.High, CacheTtlMs = 60_000 };

    private static SastFinding Finding(ScanSeverity severity) => new() { Code = "rule", Severity = severity, Message = "m" };

    [Theory]
    [InlineData(ScanStatus.Pass, new ScanSeverity[0], ScanSeverity.High, ScanStatus.Pass)]
    [InlineData(ScanStatus.Pass, new[] { ScanSeverity.High }, ScanSeverity.High, ScanStatus.Fail)]
    [InlineData(ScanStatus.Pass, new[] { ScanSeverity.Critical }, ScanSeverity.High, ScanStatus.Fail)]
    [InlineData(ScanStatus.Fail, new[] { ScanSeverity.Medium }, ScanSeverity.High, ScanStatus.Pass)]
    [InlineData(ScanStatus.Fail, new[] { ScanSeverity.Medium }, ScanSeverity.Medium, ScanStatus.Fail)]
    [InlineData(ScanStatus.Fail, new ScanSeverity[0], ScanSeverity.High, ScanStatus.Fail)]
    [InlineData(ScanStatus.Pending, new ScanSeverity[0], ScanSeverity.High, ScanStatus.Pending)]
    [InlineData(ScanStatus.Error, new ScanSeverity[0], ScanSeverity.High, ScanStatus.Error)]
    [InlineData(ScanStatus.None, new ScanSeverity[0], ScanSeverity.High, ScanStatus.Error)]
    public void The_threshold_decides_the_verdict_not_the_scanner(ScanStatus said, ScanSeverity[] severities, ScanSeverity threshold, ScanStatus expected)
    {
        Assert.Equal(expected, ScanVerdictRules.Evaluate(said, [.. severities.Select(Finding)], threshold));
    }

    [Fact]
    public void Block_on_count_fails_a_scan_with_enough_findings_below_the_severity()
    {
        ScanFinding[] two = [Finding(ScanSeverity.Low), Finding(ScanSeverity.Low)];
        Assert.Equal(ScanStatus.Fail, ScanVerdictRules.Evaluate(ScanStatus.Pass, two, ScanSeverity.High, blockOnCount: 2));
        Assert.Equal(ScanStatus.Pass, ScanVerdictRules.Evaluate(ScanStatus.Pass, two, ScanSeverity.High, blockOnCount: 3));
    }

    [Fact]
    public async Task Concurrent_readers_share_one_scan_and_read_pending_until_it_ends()
    {
        var release = new TaskCompletionSource<SastScanResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var scanner = new FakeSastScanner((_, _) => release.Task);
        using var cache = new SastVerdictCache(scanner, s_policy);

        var reads = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => cache.GetVerdict(s_info))));
        Assert.All(reads, v => Assert.Equal(ScanStatus.Pending, v.Status));
        var joined = cache.ScanAsync(s_info);
        Assert.False(joined.IsCompleted);

        release.SetResult(new SastScanResult { Status = ScanStatus.Pass, ScanId = "scan-1" });
        var verdict = await joined;
        Assert.Equal(ScanStatus.Pass, verdict.Status);
        Assert.Equal(1, scanner.Calls);
        Assert.Same(verdict, cache.GetVerdict(s_info));
        Assert.Equal("scan-1", cache.GetVerdict(s_info).ScanId);
        Assert.Equal(1, scanner.Calls);
    }

    [Fact]
    public async Task A_crashing_scanner_is_an_error_verdict_never_a_pass()
    {
        var scanner = new FakeSastScanner((_, _) => throw new InvalidOperationException("semgrep exploded"));
        using var cache = new SastVerdictCache(scanner, s_policy);

        var verdict = await cache.ScanAsync(s_info);
        Assert.Equal(ScanStatus.Error, verdict.Status);
        Assert.Contains("semgrep exploded", verdict.Error, StringComparison.Ordinal);
        Assert.Null(verdict.FindingsJson);
    }

    [Fact]
    public async Task A_scanner_that_never_answers_times_out_as_an_error()
    {
        // Ignores its token on purpose: the cache must still end the wait.
        var scanner = new FakeSastScanner((_, _) => new TaskCompletionSource<SastScanResult>().Task);
        using var cache = new SastVerdictCache(scanner, s_policy, new ScanCacheOptions { ScanTimeout = TimeSpan.FromMilliseconds(200) });

        var verdict = await cache.ScanAsync(s_info).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ScanStatus.Error, verdict.Status);
        Assert.Contains("timed out", verdict.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_pass_reads_pending_and_is_rescanned()
    {
        var time = new ManualTimeProvider(DateTimeOffset.Parse("2025-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var scanner = FakeSastScanner.Returning(new SastScanResult { Status = ScanStatus.Pass });
        using var cache = new SastVerdictCache(scanner, s_policy, new ScanCacheOptions { TimeProvider = time });

        Assert.Equal(ScanStatus.Pass, (await cache.ScanAsync(s_info)).Status);
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(ScanStatus.Pass, cache.GetVerdict(s_info).Status);
        Assert.Equal(1, scanner.Calls);

        time.Advance(TimeSpan.FromSeconds(2));
        var stale = cache.GetVerdict(s_info);
        Assert.True(stale.Status is ScanStatus.Pending or ScanStatus.Pass);
        var fresh = await cache.ScanAsync(s_info);
        Assert.Equal(2, scanner.Calls);
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromMinutes(1), fresh.ExpiresAt);
    }

    [Fact]
    public async Task An_expired_fail_keeps_blocking_until_the_rescan_replaces_it()
    {
        var time = new ManualTimeProvider(DateTimeOffset.Parse("2025-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var second = new TaskCompletionSource<SastScanResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var scanner = new FakeSastScanner((_, _) => Interlocked.Increment(ref calls) == 1
            ? Task.FromResult(new SastScanResult { Status = ScanStatus.Fail, Findings = [Finding(ScanSeverity.Critical)] })
            : second.Task);
        using var cache = new SastVerdictCache(scanner, s_policy, new ScanCacheOptions { TimeProvider = time });

        Assert.Equal(ScanStatus.Fail, (await cache.ScanAsync(s_info)).Status);
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(ScanStatus.Fail, cache.GetVerdict(s_info).Status);
        var rescan = cache.ScanAsync(s_info);
        second.SetResult(new SastScanResult { Status = ScanStatus.Pass });
        Assert.Equal(ScanStatus.Pass, (await rescan).Status);
        Assert.Equal(ScanStatus.Pass, cache.GetVerdict(s_info).Status);
    }

    [Fact]
    public async Task Findings_are_recorded_as_the_envelope_json_array()
    {
        var scanner = FakeSastScanner.Returning(new SastScanResult
        {
            Status = ScanStatus.Pass,
            ScanId = "s1",
            Findings = [new SastFinding { Code = "csharp.sqli", Title = "SQL injection", Severity = ScanSeverity.Medium, Message = "concat", File = "Pay.cs", StartLine = 3, EndLine = 4, Cwe = ["CWE-89"] }],
        });
        using var cache = new SastVerdictCache(scanner, s_policy);

        var verdict = await cache.ScanAsync(s_info);
        Assert.Equal(
            """[{"code":"csharp.sqli","title":"SQL injection","severity":"medium","message":"concat","file":"Pay.cs","start_line":3,"end_line":4,"cwe":["CWE-89"]}]""",
            verdict.FindingsJson!.ToJsonString());
    }
}

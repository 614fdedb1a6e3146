using Sec0.Instrumentation.Tests.Support;
using Sec0.Policy;
using Sec0.Scanning;

namespace Sec0.Instrumentation.Tests.Scanning;

/// <summary>The Nuclei adapter against fake <c>nuclei</c> executables.</summary>
public class NucleiScannerTests
{
    private static readonly DastScanInfo s_info = new()
    {
        Server = "payments",
        SandboxUrl = new Uri("http://127.0.0.1:8080/"),
        Tags = ["sqli", "misconfig"],
        ExcludeTags = ["dos"],
        Severity = [ScanSeverity.Low, ScanSeverity.Critical],
    };

    [Fact]
    public async Task Reads_jsonl_line_by_line_including_a_line_split_across_two_writes()
    {
        if (!FakeExecutable.CanRun)
        {
            return;
        }

        using var dir = new TempDirectory();
        var templates = Directory.CreateDirectory(dir.Combine("templates")).FullName;
        var half = NucleiSamples.SqlInjection.Length / 2;
        var bin = FakeExecutable.Write(dir.Path, "nuclei", $"""
            for a in "$@"; do printf '%s\n' "$a" >> {FakeExecutable.Quote(dir.Combine("args.txt"))}; done
            echo '[INF] nuclei-templates are not installed, installing...' >&2
            printf '%s\n' {FakeExecutable.Quote(NucleiSamples.MissingHeader)}
            printf '%s' {FakeExecutable.Quote(NucleiSamples.SqlInjection[..half])}
            sleep 0.3
            printf '%s\n' {FakeExecutable.Quote(NucleiSamples.SqlInjection[half..])}
            exit 0
            """);
        var scanner = new NucleiScanner(new NucleiScannerOptions { Binary = bin, AllowedBinaries = [bin], Templates = templates, AllowedTemplateDirectories = [templates], TimeoutSeconds = 5 });

        var result = await scanner.ScanAsync(s_info, CancellationToken.None);

        Assert.Null(result.Error);
        Assert.Equal(
            ["-u", "http://127.0.0.1:8080/", "-jsonl", "-timeout", "5", "-t", templates, "-tags", "sqli,misconfig", "-exclude-tags", "dos", "-severity", "info,low,critical"],
            File.ReadAllLines(dir.Combine("args.txt")));
        Assert.Equal(2, result.Findings.Count);
        var header = result.Findings[0];
        Assert.Equal(ScanSeverity.Low, header.Severity);
        Assert.Equal("strict-transport-security", header.Evidence);
        var sqli = result.Findings[1];
        Assert.Equal("sqli-error-based", sqli.Code);
        Assert.Equal(ScanSeverity.Critical, sqli.Severity);
        Assert.Equal("GET", sqli.Method);
        Assert.Equal("id", sqli.Param);
        Assert.Equal("/api/orders", sqli.Location);
        Assert.Equal(["CWE-89"], sqli.Cwe);
        Assert.Equal(["owasp-a03"], sqli.Owasp);
        Assert.Equal(["nist-si-10"], sqli.Nist);
        Assert.Equal("You have an error in your SQL syntax", sqli.Evidence);

        // Thresholds: critical fails at high; the info finding alone passes unless block_on_count says otherwise.
        using var cache = new DastVerdictCache(scanner, new DastPolicyOptions { Enabled = true, SandboxUrl = s_info.SandboxUrl, BlockOnSeverity = ScanSeverity.High });
        Assert.Equal(ScanStatus.Fail, (await cache.ScanAsync(s_info)).Status);
    }

    [Fact]
    public async Task Crashes_hangs_bad_lines_and_unlisted_templates_are_errors()
    {
        if (!FakeExecutable.CanRun)
        {
            return;
        }

        using var dir = new TempDirectory();
        var crash = FakeExecutable.Write(dir.Path, "nuclei-crash", "echo '[FTL] Could not create runner: no templates provided' >&2\nexit 1\n");
        var hang = FakeExecutable.Write(dir.Path, "nuclei-hang", "sleep 60\n");
        var garbage = FakeExecutable.Write(dir.Path, "nuclei-garbage", "printf '%s\\n' '{\"template-id\": \"x\", \"info\": {'\n");
        NucleiScanner Fake(string bin, TimeSpan? timeout = null) => new(new NucleiScannerOptions { Binary = bin, AllowedBinaries = [bin], ProcessTimeout = timeout ?? TimeSpan.FromMinutes(1) });

        var crashed = await Fake(crash).ScanAsync(s_info, CancellationToken.None);
        Assert.Equal(ScanStatus.Error, crashed.Status);
        Assert.Contains("Could not create runner", crashed.Error, StringComparison.Ordinal);

        var hung = await Fake(hang, TimeSpan.FromSeconds(1)).ScanAsync(s_info, CancellationToken.None);
        Assert.Equal(ScanStatus.Error, hung.Status);
        Assert.Contains("killed", hung.Error, StringComparison.Ordinal);

        Assert.Equal(ScanStatus.Error, (await Fake(garbage).ScanAsync(s_info, CancellationToken.None)).Status);

        var outside = await Fake(crash).ScanAsync(s_info with { Templates = "/etc" }, CancellationToken.None);
        Assert.Contains("is outside allowed directories. Set SEC0_NUCLEI_TEMPLATE_DIRS to permit it.", outside.Error, StringComparison.Ordinal);

        var unlisted = await NucleiScanner.FromEnvironment(environment: k => k == "NUCLEI_BIN" ? crash : null).ScanAsync(s_info, CancellationToken.None);
        Assert.Contains($"nuclei binary \"{crash}\" is not in allowed list. Set SEC0_NUCLEI_ALLOWED_BINS to permit it.", unlisted.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_the_documented_environment_variables()
    {
        var env = new Dictionary<string, string>
        {
            ["NUCLEI_BIN"] = "/opt/nuclei/nuclei",
            ["SEC0_NUCLEI_TEMPLATES"] = "/opt/templates",
            ["SEC0_NUCLEI_TIMEOUT_SEC"] = "12",
            ["SEC0_NUCLEI_TARGET"] = "https://sandbox.internal/",
        };
        var scanner = NucleiScanner.FromEnvironment(new NucleiScannerOptions { AllowedTemplateDirectories = ["/opt/templates"] }, k => env.GetValueOrDefault(k));
        Assert.Equal("/opt/nuclei/nuclei", scanner.Options.Binary);
        Assert.Equal(12, scanner.Options.TimeoutSeconds);
        var (args, error) = scanner.BuildArguments(new DastScanInfo());
        Assert.Null(error);
        Assert.Equal(["-u", "https://sandbox.internal/", "-jsonl", "-timeout", "12", "-t", "/opt/templates"], args);
    }

    [Fact]
    public async Task SEC0_NUCLEI_ALLOWED_BINS_and_SEC0_NUCLEI_TEMPLATE_DIRS_work_as_in_the_TypeScript_SDK()
    {
        if (!FakeExecutable.CanRun)
        {
            return;
        }

        using var dir = new TempDirectory();
        var templates = Directory.CreateDirectory(dir.Combine("nuclei-templates")).FullName;
        var bin = FakeExecutable.Write(dir.Path, "nuclei", $"touch '{dir.Combine("ran")}'\n");
        var env = new Dictionary<string, string>
        {
            ["NUCLEI_BIN"] = bin,
            ["SEC0_NUCLEI_ALLOWED_BINS"] = bin,
            ["SEC0_NUCLEI_TEMPLATE_DIRS"] = $"{templates}, /nowhere",
            ["SEC0_NUCLEI_TEMPLATES"] = Path.Combine(templates, "http"),
        };

        var scanner = NucleiScanner.FromEnvironment(environment: k => env.GetValueOrDefault(k));
        var result = await scanner.ScanAsync(s_info, CancellationToken.None);

        Assert.Equal([templates, "/nowhere"], scanner.Options.AllowedTemplateDirectories);
        Assert.Equal(ScanStatus.Pass, result.Status);
        Assert.True(File.Exists(dir.Combine("ran")));

        var outside = scanner.BuildArguments(s_info with { Templates = dir.Combine("elsewhere") });
        Assert.Equal($"nuclei templates path \"{dir.Combine("elsewhere")}\" is outside allowed directories. Set SEC0_NUCLEI_TEMPLATE_DIRS to permit it.", outside.Error);
    }

    [Fact]
    public async Task A_failed_dast_scan_is_a_block_rule_that_lasts_rule_ttl_and_stands_until_rescanned()
    {
        var time = new ManualTimeProvider(DateTimeOffset.Parse("2025-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var calls = 0;
        var scanner = new FakeDastScanner(_ => Interlocked.Increment(ref calls) == 1
            ? new DastScanResult { Status = ScanStatus.Pass, Findings = [new DastFinding { Code = "a", Severity = ScanSeverity.Low }, new DastFinding { Code = "b", Severity = ScanSeverity.Low }] }
            : new DastScanResult { Status = ScanStatus.Pass });
        var policy = new DastPolicyOptions { Enabled = true, SandboxUrl = s_info.SandboxUrl, BlockOnCount = 2, RuleTtlMs = 60_000 };
        using var cache = new DastVerdictCache(scanner, policy, new ScanCacheOptions { TimeProvider = time });
        var info = cache.CreateInfo("payments", "Pay.Charge", "sha256:v1:x");
        Assert.Equal("", info.Tool);

        var failed = await cache.ScanAsync(info);
        Assert.Equal(ScanStatus.Fail, failed.Status);
        Assert.Equal(time.GetUtcNow().AddMinutes(1), failed.ExpiresAt);
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(ScanStatus.Fail, cache.GetVerdict(DastVerdictCache.KeyOf(info), info).Status);
        Assert.Equal(ScanStatus.Pass, (await cache.ScanAsync(info)).Status);
    }
}

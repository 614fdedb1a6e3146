using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Sec0.Policy;
using Sec0.Scanning;

namespace Sec0.Instrumentation.Tests.Scanning;

/// <summary>The Semgrep adapter against fake <c>semgrep</c> executables that behave like the real CLI.</summary>
public class SemgrepScannerTests
{
    private static SastScanInfo Info(string file) => new() { Server = "payments", Tool = "Pay.Charge", HandlerHash = "sha256:v1:abc", FilePath = file, StartLine = 12, EndLine = 16, Ruleset = "p/csharp" };

    private static (TempDirectory Dir, string Source) Workspace()
    {
        var dir = new TempDirectory();
        var source = dir.Combine("Pay.cs");
        File.WriteAllText(source, string.Join('\n', Enumerable.Range(1, 40).Select(i => $"// line {i}")));
        return (dir, source);
    }

    [Fact]
    public async Task Runs_the_documented_command_and_keeps_the_findings_inside_the_handler()
    {
        if (!FakeExecutable.CanRun)
        {
            return;
        }

        var (dir, source) = Workspace();
        using var _ = dir;
        File.WriteAllText(dir.Combine("out.json"), SemgrepSamples.TwoFindings);
        var bin = FakeExecutable.Write(dir.Path, "semgrep", $"""
            for a in "$@"; do printf '%s\n' "$a" >> '{dir.Combine("args.txt")}'; done
            cat '{dir.Combine("out.json")}'
            exit 0
            """);
        var scanner = new SemgrepScanner(new SemgrepScannerOptions { Binary = bin, AllowedBinaries = [bin], TimeoutSeconds = 7 });

        var result = await scanner.ScanAsync(Info(source), CancellationToken.None);

        Assert.Null(result.Error);
        Assert.Equal(["--json", "--timeout", "7", "--quiet", "--config", "p/csharp", source], File.ReadAllLines(dir.Combine("args.txt")));
        var finding = Assert.Single(result.Findings);
        Assert.Equal("csharp.lang.security.sqli.csharp-sqli.csharp-sqli", finding.Code);
        Assert.Equal("csharp-sqli", finding.Title);
        Assert.Equal(ScanSeverity.High, finding.Severity);
        Assert.Equal(14, finding.StartLine);
        Assert.StartsWith("CWE-89", finding.Cwe[0], StringComparison.Ordinal);
        Assert.Equal(["A01:2017 - Injection", "A03:2021 - Injection"], finding.Owasp);
        Assert.StartsWith("semgrep-", result.ScanId, StringComparison.Ordinal);

        // Through the cache: ERROR (high) at block_on_severity high is a fail.
        using var cache = new SastVerdictCache(scanner, new SastPolicyOptions { Enabled = true, BlockOnSeverity = ScanSeverity.High });
        Assert.Equal(ScanStatus.Fail, (await cache.ScanAsync(Info(source))).Status);
        using var lenient = new SastVerdictCache(scanner, new SastPolicyOptions { Enabled = true, BlockOnSeverity = ScanSeverity.Critical });
        Assert.Equal(ScanStatus.Pass, (await lenient.ScanAsync(Info(source))).Status);
    }

    [Theory]
    [InlineData("INFO", ScanSeverity.Low)]
    [InlineData("WARNING", ScanSeverity.Medium)]
    [InlineData("ERROR", ScanSeverity.High)]
    [InlineData("CRITICAL", ScanSeverity.Critical)]
    [InlineData("SOMETHING-NEW", ScanSeverity.High)]
    public void Maps_semgrep_severities(string semgrep, ScanSeverity expected)
    {
        var json = SemgrepSamples.TwoFindings.Replace("\"ERROR\"", $"\"{semgrep}\"", StringComparison.Ordinal);
        var result = SemgrepOutputParser.Parse(json, new SastScanInfo { HandlerHash = "h", StartLine = 12, EndLine = 16 });
        Assert.Equal(expected, Assert.Single(result.Findings).Severity);
    }

    [Fact]
    public async Task A_crash_is_an_error_carrying_the_exit_code_and_stderr()
    {
        if (!FakeExecutable.CanRun)
        {
            return;
        }

        var (dir, source) = Workspace();
        using var _ = dir;
        var bin = FakeExecutable.Write(dir.Path, "semgrep", """
            echo '[ERROR] Invalid rule schema: missing required property "pattern"' >&2
            exit 2
            """);
        var scanner = new SemgrepScanner(new SemgrepScannerOptions { Binary = bin, AllowedBinaries = [bin] });

        var result = await scanner.ScanAsync(Info(source), CancellationToken.None);

        Assert.Equal(ScanStatus.Error, result.Status);
        Assert.Contains("exited with code 2", result.Error, StringComparison.Ordinal);
        Assert.Contains("Invalid rule schema", result.Error, StringComparison.Ordinal);
        using var cache = new SastVerdictCache(scanner, new SastPolicyOptions { Enabled = true });
        Assert.Equal(ScanStatus.Error, (await cache.ScanAsync(Info(source))).Status);
    }

    [Fact]
    public async Task A_hanging_semgrep_is_killed_at_the_deadline_and_is_an_error()
    {
        if (!FakeExecutable.CanRun)
        {
            return;
        }

        var (dir, source) = Workspace();
        using var _ = dir;
        var bin = FakeExecutable.Write(dir.Path, "semgrep", "sleep 60\n");
        var scanner = new SemgrepScanner(new SemgrepScannerOptions { Binary = bin, AllowedBinaries = [bin], ProcessTimeout = TimeSpan.FromSeconds(1) });

        var started = DateTime.UtcNow;
        var result = await scanner.ScanAsync(Info(source), CancellationToken.None);

        Assert.Equal(ScanStatus.Error, result.Status);
        Assert.Contains("killed", result.Error, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Semgrep_errors_of_level_error_and_garbage_output_are_errors()
    {
        if (!FakeExecutable.CanRun)
        {
            return;
        }

        var (dir, source) = Workspace();
        using var _ = dir;
        File.WriteAllText(dir.Combine("out.json"), """{"version":"1.97.0","results":[],"errors":[{"code":3,"level":"error","type":"Syntax error","message":"Syntax error at line Pay.cs:3"}],"paths":{"scanned":[]}}""");
        var bin = FakeExecutable.Write(dir.Path, "semgrep", $"cat '{dir.Combine("out.json")}'\n");
        var scanner = new SemgrepScanner(new SemgrepScannerOptions { Binary = bin, AllowedBinaries = [bin] });
        var result = await scanner.ScanAsync(Info(source), CancellationToken.None);
        Assert.Equal(ScanStatus.Error, result.Status);
        Assert.Contains("Syntax error", result.Error, StringComparison.Ordinal);

        File.WriteAllText(dir.Combine("out.json"), "Traceback (most recent call last):");
        Assert.Equal(ScanStatus.Error, (await scanner.ScanAsync(Info(source), CancellationToken.None)).Status);
    }

    [Fact]
    public async Task A_binary_outside_the_allowlist_never_runs()
    {
        if (!FakeExecutable.CanRun)
        {
            return;
        }

        var (dir, source) = Workspace();
        using var _ = dir;
        var bin = FakeExecutable.Write(dir.Path, "semgrep", $"touch '{dir.Combine("ran")}'\necho '{{\"results\":[]}}'\n");

        // SEMGREP_BIN points at a program named semgrep, but only the bare name is allowed.
        var scanner = SemgrepScanner.FromEnvironment(environment: name => name == "SEMGREP_BIN" ? bin : null);
        var result = await scanner.ScanAsync(Info(source), CancellationToken.None);

        Assert.Equal(ScanStatus.Error, result.Status);
        Assert.Contains("is not in allowed list. Set SEC0_SEMGREP_ALLOWED_BINS to permit it.", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.Combine("ran")));
    }

    [Fact]
    public async Task SEC0_SEMGREP_ALLOWED_BINS_admits_a_binary_as_in_the_TypeScript_SDK()
    {
        if (!FakeExecutable.CanRun)
        {
            return;
        }

        var (dir, source) = Workspace();
        using var _ = dir;
        var bin = FakeExecutable.Write(dir.Path, "semgrep", $"touch '{dir.Combine("ran")}'\necho '{{\"results\":[]}}'\n");
        var env = new Dictionary<string, string> { ["SEMGREP_BIN"] = bin, ["SEC0_SEMGREP_ALLOWED_BINS"] = $" semgrep , {bin} ," };

        var scanner = SemgrepScanner.FromEnvironment(environment: name => env.GetValueOrDefault(name));
        var result = await scanner.ScanAsync(Info(source), CancellationToken.None);

        Assert.Equal(["semgrep", bin], scanner.Options.AllowedBinaries);
        Assert.Equal(ScanStatus.Pass, result.Status);
        Assert.True(File.Exists(dir.Combine("ran")));
    }

    [Fact]
    public void A_relative_path_in_SEC0_SEMGREP_ALLOWED_BINS_is_refused_on_purpose()
    {
        var error = Assert.Throws<ArgumentException>(() => SemgrepScanner.FromEnvironment(environment: name => name == "SEC0_SEMGREP_ALLOWED_BINS" ? "semgrep,./bin/semgrep" : null));

        Assert.StartsWith("[sec0] SEC0_SEMGREP_ALLOWED_BINS entry \"./bin/semgrep\" is a relative path", error.Message, StringComparison.Ordinal);
        Assert.Contains("differs from Sec0's TypeScript SDK on purpose", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_the_documented_environment_variables()
    {
        var env = new Dictionary<string, string>
        {
            ["SEMGREP_BIN"] = "/opt/semgrep/bin/semgrep",
            ["SEC0_SEMGREP_CONFIG"] = "p/owasp-top-ten",
            ["SEC0_SEMGREP_TIMEOUT_SEC"] = "45",
            ["SEC0_SEMGREP_SERVICE_URL"] = "https://semgrep.internal/scan",
        };
        var options = SemgrepScanner.FromEnvironment(environment: k => env.GetValueOrDefault(k)).Options;
        Assert.Equal("/opt/semgrep/bin/semgrep", options.Binary);
        Assert.Equal("p/owasp-top-ten", options.Config);
        Assert.Equal(45, options.TimeoutSeconds);
        Assert.Equal(new Uri("https://semgrep.internal/scan"), options.ServiceUrl);

        env["SEC0_SEMGREP_TIMEOUT_SEC"] = "soon";
        Assert.Throws<ArgumentException>(() => SemgrepScanner.FromEnvironment(environment: k => env.GetValueOrDefault(k)));
    }

    [Fact]
    public async Task With_a_service_url_the_source_is_posted_and_the_answer_parsed()
    {
        var (dir, source) = Workspace();
        using var _ = dir;
        var web = WebApplication.CreateSlimBuilder();
        web.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = web.Build();
        JsonElement? received = null;
        app.MapPost("/scan", async (HttpRequest request) =>
        {
            received = (await JsonDocument.ParseAsync(request.Body)).RootElement.Clone();
            return Results.Text(SemgrepSamples.TwoFindings, "application/json", Encoding.UTF8);
        });
        app.MapPost("/broken", () => Results.Text("rules failed to load", statusCode: 500));
        await app.StartAsync(CancellationToken.None);
        var baseUrl = app.Urls.First();

        var scanner = SemgrepScanner.FromEnvironment(environment: k => k == "SEC0_SEMGREP_SERVICE_URL" ? baseUrl + "/scan" : null);
        var result = await scanner.ScanAsync(Info(source), CancellationToken.None);

        Assert.Equal("csharp.lang.security.sqli.csharp-sqli.csharp-sqli", Assert.Single(result.Findings).Code);
        Assert.Equal("Pay.cs", received!.Value.GetProperty("filename").GetString());
        Assert.Equal("p/csharp", received.Value.GetProperty("config").GetString());
        Assert.Contains("// line 14", received.Value.GetProperty("source").GetString(), StringComparison.Ordinal);

        var broken = SemgrepScanner.FromEnvironment(environment: k => k == "SEC0_SEMGREP_SERVICE_URL" ? baseUrl + "/broken" : null);
        var error = await broken.ScanAsync(Info(source), CancellationToken.None);
        Assert.Equal(ScanStatus.Error, error.Status);
        Assert.Contains("500", error.Error, StringComparison.Ordinal);
    }
}

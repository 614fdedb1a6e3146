using Sec0.Instrumentation.Tests.Support;
using Sec0.Policy;
using Sec0.Scanning;

namespace Sec0.Instrumentation.Tests.Scanning;

/// <summary>
/// The default scanner names (<c>semgrep</c>, <c>nuclei</c>) are looked up on PATH only: an executable planted in the
/// working directory (where .NET's own lookup searches first) or reached through a relative PATH entry never runs.
/// The fakes are real child processes; the working directory and PATH are the test process's own, so these tests
/// run alone.
/// </summary>
[Collection(nameof(ProcessEnvironmentCollection))]
public sealed class ScannerExecutableTests
{
    private const string PassingSemgrep = """{"version":"1.97.0","results":[],"errors":[],"paths":{"scanned":["Pay.cs"]}}""";

    [Fact]
    public async Task A_semgrep_planted_in_the_working_directory_never_runs_and_the_one_on_PATH_does()
    {
        if (!FakeExecutable.CanRun)
        {
            return;
        }

        var (result, plantedRan, pathRan) = await RunWithPlantedAsync("semgrep", PassingSemgrep, SemgrepSamples.TwoFindings, source =>
            SemgrepScanner.FromEnvironment(environment: _ => null).ScanAsync(new SastScanInfo { Server = "payments", Tool = "Pay.Charge", HandlerHash = "sha256:v1:abc", FilePath = source, StartLine = 12, EndLine = 16 }, CancellationToken.None));

        Assert.False(plantedRan, "the semgrep in the working directory ran");
        Assert.True(pathRan, result.Error);
        Assert.Equal("csharp.lang.security.sqli.csharp-sqli.csharp-sqli", Assert.Single(result.Findings).Code);
    }

    [Fact]
    public async Task A_nuclei_planted_in_the_working_directory_never_runs_and_the_one_on_PATH_does()
    {
        if (!FakeExecutable.CanRun)
        {
            return;
        }

        var (result, plantedRan, pathRan) = await RunWithPlantedAsync("nuclei", string.Empty, NucleiSamples.SqlInjection, _ =>
            NucleiScanner.FromEnvironment(environment: _ => null).ScanAsync(new DastScanInfo { Server = "payments", SandboxUrl = new Uri("http://127.0.0.1:8080/") }, CancellationToken.None));

        Assert.False(plantedRan, "the nuclei in the working directory ran");
        Assert.True(pathRan, result.Error);
        Assert.Equal("sqli-error-based", Assert.Single(result.Findings).Code);
    }

    [Fact]
    public async Task With_no_semgrep_on_PATH_the_planted_one_still_never_runs_and_the_error_says_where_it_looked()
    {
        if (!FakeExecutable.CanRun)
        {
            return;
        }

        var (result, plantedRan, _) = await RunWithPlantedAsync("semgrep", PassingSemgrep, pathOutput: null, source =>
            SemgrepScanner.FromEnvironment(environment: _ => null).ScanAsync(new SastScanInfo { Server = "payments", Tool = "Pay.Charge", HandlerHash = "sha256:v1:abc", FilePath = source }, CancellationToken.None));

        Assert.False(plantedRan, "the semgrep in the working directory ran");
        Assert.Equal(ScanStatus.Error, result.Status);
        Assert.Contains("\"semgrep\" was not found on PATH", result.Error, StringComparison.Ordinal);
        Assert.Contains("SEMGREP_BIN", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("./semgrep")]
    [InlineData("bin/semgrep")]
    [InlineData("../tools/semgrep")]
    public void A_relative_path_in_SEMGREP_BIN_or_NUCLEI_BIN_is_refused_with_a_clear_error(string relative)
    {
        var semgrep = Assert.Throws<ArgumentException>(() => SemgrepScanner.FromEnvironment(environment: k => k == "SEMGREP_BIN" ? relative : null));
        var nuclei = Assert.Throws<ArgumentException>(() => NucleiScanner.FromEnvironment(environment: k => k == "NUCLEI_BIN" ? relative : null));

        Assert.StartsWith($"[sec0] SEMGREP_BIN \"{relative}\" is a relative path, which would depend on the working directory; give a bare name (looked up on PATH only) or an absolute path.", semgrep.Message, StringComparison.Ordinal);
        Assert.StartsWith($"[sec0] NUCLEI_BIN \"{relative}\" is a relative path", nuclei.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_set_in_code_with_a_relative_binary_or_allowlist_entry_are_refused()
    {
        var binary = Assert.Throws<ArgumentException>(() => new SemgrepScanner(new SemgrepScannerOptions { Binary = "./semgrep", AllowedBinaries = ["./semgrep"] }));
        var entry = Assert.Throws<ArgumentException>(() => new NucleiScanner(new NucleiScannerOptions { AllowedBinaries = ["nuclei", "tools/nuclei"] }));

        Assert.Contains("SemgrepScannerOptions.Binary \"./semgrep\" is a relative path", binary.Message, StringComparison.Ordinal);
        Assert.Contains("NucleiScannerOptions.AllowedBinaries entry \"tools/nuclei\" is a relative path", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_absolute_PATH_entries_are_searched_with_the_rules_of_each_system()
    {
        Assert.Equal(["/usr/local/bin", "/usr/bin"], ScannerExecutable.AbsoluteEntries(".::bin:/usr/local/bin: ./x :/usr/bin:~/bin", windows: false));
        Assert.Equal(
            [@"\\server\share\bin", @"C:\Program Files\Semgrep", @"d:/tools"],
            ScannerExecutable.AbsoluteEntries(@".;;bin;C:relative;\tools;\\server\share\bin;""C:\Program Files\Semgrep"";d:/tools", windows: true));
        Assert.Empty(ScannerExecutable.AbsoluteEntries(null, windows: false));
    }

    [Fact]
    public void Windows_lookup_tries_the_PATHEXT_extensions_in_order_in_each_folder()
    {
        // The Windows rules run here on real files; only the executable-bit check is left out, as on Windows.
        using var dir = new TempDirectory();
        var first = Directory.CreateDirectory(dir.Combine("first")).FullName;
        var second = Directory.CreateDirectory(dir.Combine("second")).FullName;
        File.WriteAllText(Path.Join(first, "semgrep"), "no extension: not a Windows program");
        File.WriteAllText(Path.Join(second, "semgrep.CMD"), "@echo off");
        File.WriteAllText(Path.Join(second, "semgrep.EXE"), "MZ");

        Assert.Equal(["semgrep.COM", "semgrep.EXE", "semgrep.BAT", "semgrep.CMD"], ScannerExecutable.CandidateNames("semgrep", windows: true, pathExt: null));
        Assert.Equal(["semgrep.PY", "semgrep.EXE"], ScannerExecutable.CandidateNames("semgrep", windows: true, pathExt: ".PY; .EXE;;nonsense"));
        Assert.Equal(["semgrep.exe"], ScannerExecutable.CandidateNames("semgrep.exe", windows: true, pathExt: null));
        Assert.Equal(["semgrep"], ScannerExecutable.CandidateNames("semgrep", windows: false, pathExt: ".EXE"));
        Assert.Equal(Path.Join(second, "semgrep.EXE"), ScannerExecutable.FindIn([first, second], "semgrep", windows: true, pathExt: null));
        Assert.Equal(Path.Join(second, "semgrep.CMD"), ScannerExecutable.FindIn([first, second], "semgrep", windows: true, pathExt: ".CMD;.EXE"));
        Assert.Null(ScannerExecutable.FindIn([first, second], "nuclei", windows: true, pathExt: null));
    }

    [Fact]
    public void On_Unix_a_file_without_an_execute_bit_is_skipped_like_execvp_does()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDirectory();
        var first = Directory.CreateDirectory(dir.Combine("first")).FullName;
        var second = Directory.CreateDirectory(dir.Combine("second")).FullName;
        File.WriteAllText(Path.Join(first, "semgrep"), "not executable");
        Directory.CreateDirectory(Path.Join(first, "nuclei"));
        var runnable = FakeExecutable.Write(second, "semgrep", "exit 0\n");

        Assert.Equal(runnable, ScannerExecutable.FindIn([first, second], "semgrep", windows: false, pathExt: null));
        Assert.Null(ScannerExecutable.FindIn([first], "nuclei", windows: false, pathExt: null));
    }

    /// <summary>
    /// Plants an executable <paramref name="name"/> printing <paramref name="plantedOutput"/> in a fresh working
    /// directory, puts one printing <paramref name="pathOutput"/> on PATH (none when null) behind a <c>.</c> and an
    /// empty entry, and runs <paramref name="scan"/> there on a 40-line source file; each fake records that it ran.
    /// </summary>
    private static async Task<(T Result, bool PlantedRan, bool PathRan)> RunWithPlantedAsync<T>(string name, string plantedOutput, string? pathOutput, Func<string, Task<T>> scan)
    {
        using var dir = new TempDirectory();
        var work = Directory.CreateDirectory(dir.Combine("work")).FullName;
        var onPath = Directory.CreateDirectory(dir.Combine("path-bin")).FullName;
        var source = dir.Combine("Pay.cs");
        File.WriteAllText(source, string.Join('\n', Enumerable.Range(1, 40).Select(i => $"// line {i}")));
        FakeExecutable.Write(work, name, $"touch {FakeExecutable.Quote(dir.Combine("planted-ran"))}\nprintf '%s\\n' {FakeExecutable.Quote(plantedOutput)}\n");
        if (pathOutput is not null)
        {
            FakeExecutable.Write(onPath, name, $"touch {FakeExecutable.Quote(dir.Combine("path-ran"))}\nprintf '%s\\n' {FakeExecutable.Quote(pathOutput)}\n");
        }

        T result;
        using (new ProcessEnvironment(work, ".", "", onPath))
        {
            result = await scan(source);
        }

        return (result, File.Exists(dir.Combine("planted-ran")), File.Exists(dir.Combine("path-ran")));
    }

    /// <summary>Sets the working directory and puts <c>pathEntries</c> in front of PATH; restores both on dispose.</summary>
    private sealed class ProcessEnvironment : IDisposable
    {
        private readonly string _directory = Environment.CurrentDirectory;
        private readonly string? _path = Environment.GetEnvironmentVariable("PATH");

        public ProcessEnvironment(string workingDirectory, params string[] pathEntries)
        {
            Environment.CurrentDirectory = workingDirectory;
            Environment.SetEnvironmentVariable("PATH", string.Join(Path.PathSeparator, [.. pathEntries, _path ?? string.Empty]));
        }

        public void Dispose()
        {
            Environment.CurrentDirectory = _directory;
            Environment.SetEnvironmentVariable("PATH", _path);
        }
    }
}

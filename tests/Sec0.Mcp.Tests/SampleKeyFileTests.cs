using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Sec0.Mcp.Tests;

/// <summary>
/// samples/McpServer creates its development signing key owner-only from the moment the file exists, like
/// <c>sec0 keygen</c>: the built sample runs as a child process in a folder without a key.
/// </summary>
public sealed partial class SampleKeyFileTests
{
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private static string SamplePath =>
        typeof(SampleKeyFileTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "McpSamplePath").Value!;

    [Fact]
    public async Task Under_umask_000_the_key_is_0600_and_its_folders_are_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDirectory("sample-key");
        // umask 000 takes nothing away: every permission bit the sample asks for ends up on disk.
        await RunSampleAsync(dir.Path, "/bin/sh", "-c", "umask 000 && exec dotnet \"$0\"", SamplePath);

        var key = Path.Combine(dir.Path, ".sec0", "keys", "ed25519.key");
        Assert.True(File.Exists(key), "the sample created no key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        Assert.Equal(0, (int)(File.GetUnixFileMode(Path.Combine(dir.Path, ".sec0", "keys")) & GroupOrOther));
        Assert.Equal(0, (int)(File.GetUnixFileMode(Path.Combine(dir.Path, ".sec0")) & GroupOrOther));
        Assert.Equal(32, Convert.FromBase64String(File.ReadAllText(key).Trim()).Length);
    }

    [Fact]
    public async Task The_key_file_is_created_0600_by_the_system_call_that_creates_it_and_never_chmodded()
    {
        // What strace records is what the kernel was asked, whatever the umask: no window with a wider mode.
        if (OperatingSystem.IsWindows() || FindOnPath("strace") is not { } strace)
        {
            return;
        }

        using var dir = new TempDirectory("sample-key-strace");
        var trace = Path.Combine(dir.Path, "trace.txt");
        var work = Directory.CreateDirectory(Path.Combine(dir.Path, "work")).FullName;
        await RunSampleAsync(work, strace, "-f", "-qq", "-e", "trace=open,openat,creat,chmod,fchmod,fchmodat", "-o", trace, "dotnet", SamplePath);

        var calls = File.ReadAllLines(trace).Where(line => line.Contains("ed25519.key", StringComparison.Ordinal)).ToList();
        var create = Assert.Single(calls, line => line.Contains("O_CREAT", StringComparison.Ordinal));
        Assert.Matches(CreatedOwnerOnly(), create);
        Assert.DoesNotContain(calls, line => line.Contains("chmod", StringComparison.Ordinal));
    }

    /// <summary><c>openat(AT_FDCWD, ".../ed25519.key", O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC, 0600) = 12</c>.</summary>
    [GeneratedRegex(@"open(at)?\(.*ed25519\.key"", [^,]*O_CREAT[^,]*O_EXCL[^,]*, 0600\) = \d+")]
    private static partial Regex CreatedOwnerOnly();

    /// <summary>Runs the sample (through <paramref name="command"/>) with stdin closed, so it creates its key, starts and stops.</summary>
    private static async Task RunSampleAsync(string workingDirectory, string command, params string[] arguments)
    {
        Assert.True(File.Exists(SamplePath), $"Build samples/McpServer first: {SamplePath}");
        var info = new ProcessStartInfo(command)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the sample did not stop after its stdin closed: " + await stderr);
        }

        await stdout;
        await stderr;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(Path.IsPathFullyQualified)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);
}

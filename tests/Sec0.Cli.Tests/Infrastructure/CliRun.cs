using System.Diagnostics;

namespace Sec0.Cli.Tests.Infrastructure;

/// <summary>The outcome of one <c>sec0</c> run.</summary>
public sealed record CliRun(int ExitCode, string Out, string Error)
{
    /// <summary>Runs <c>sec0</c> in this process through <see cref="CliApp.Run(string[], TextWriter, TextWriter)"/>.</summary>
    public static CliRun InProcess(params string[] args)
    {
        StringWriter output = new() { NewLine = "\n" };
        StringWriter error = new() { NewLine = "\n" };
        int exitCode = CliApp.Run(args, output, error);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>
    /// Runs the real tool, <c>dotnet sec0.dll ...</c>, as a child process with stdout and stderr redirected
    /// (so the tool sees redirected output, as in a CI log or a pipe).
    /// </summary>
    public static CliRun ChildProcess(string workingDirectory, params string[] args)
    {
        // The referenced exe project is copied beside the test assembly.
        string tool = Path.Combine(AppContext.BaseDirectory, "sec0.dll");
        Assert.True(File.Exists(tool), $"sec0.dll is not beside the tests at {tool}");

        ProcessStartInfo start = new("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(tool);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("sec0 did not exit within 60 s");
        }

        return new CliRun(process.ExitCode, output.Result, error.Result);
    }
}

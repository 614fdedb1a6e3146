namespace Sec0.Package.Tests;

/// <summary>How a child process ended and what it printed.</summary>
internal sealed record ChildProcessResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Everything needed to understand a failure, for assertion messages.</summary>
    public override string ToString() => $"$ {CommandLine}\nexit code {ExitCode}\n--- stdout\n{StandardOutput}\n--- stderr\n{StandardError}";
}

namespace Sec0.Cli;

/// <summary>The exit codes of every <c>sec0</c> command (documented in docs/cli.md).</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked; for <c>verify</c>, the log is intact.</summary>
    public const int Success = 0;

    /// <summary>The command ran but the answer is no: the log has problems, or keygen refused to overwrite a file.</summary>
    public const int Failure = 1;

    /// <summary>The command could not run: bad or missing arguments, an unreadable key, path or assembly.</summary>
    public const int UsageError = 2;

    /// <summary>A bug or an environment failure nobody planned for; <c>--verbose</c> shows the stack trace.</summary>
    public const int InternalError = 3;

    /// <summary>Stopped by Ctrl+C or SIGTERM (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;
}

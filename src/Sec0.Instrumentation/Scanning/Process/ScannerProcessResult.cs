namespace Sec0.Scanning;

/// <summary>How a scanner child process ended.</summary>
/// <param name="ExitCode">The exit code; -1 when it was killed at the deadline.</param>
/// <param name="Stderr">Its stderr, trimmed and truncated.</param>
/// <param name="TimedOut">True when it was killed at the deadline.</param>
internal readonly record struct ScannerProcessResult(int ExitCode, string Stderr, bool TimedOut);

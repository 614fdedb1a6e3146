namespace Sec0.Cli;

/// <summary>Where a <c>sec0</c> run writes, so tests can run commands in-process with captured writers.</summary>
/// <param name="Out">Standard output: the result of a command.</param>
/// <param name="Error">Standard error: error messages and hints.</param>
/// <param name="IsTerminal">True only when <paramref name="Out"/> is an interactive terminal: progress bars,
/// colours and terminal-width tables are drawn only then, so redirected output is exactly the result.</param>
public sealed record CliContext(TextWriter Out, TextWriter Error, bool IsTerminal);

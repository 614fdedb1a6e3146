namespace Sec0.Scanning;

/// <summary>
/// Settings of <see cref="SemgrepScanner"/>. <see cref="SemgrepScanner.FromEnvironment"/> fills them from
/// Sec0's documented variables: <c>SEMGREP_BIN</c>, <c>SEC0_SEMGREP_CONFIG</c>, <c>SEC0_SEMGREP_TIMEOUT_SEC</c>,
/// <c>SEC0_SEMGREP_SERVICE_URL</c>.
/// </summary>
public sealed class SemgrepScannerOptions
{
    /// <summary>The default <see cref="TimeoutSeconds"/>.</summary>
    public const int DefaultTimeoutSeconds = 30;

    /// <summary>
    /// <c>SEMGREP_BIN</c>: the CLI to run, a bare name looked up on PATH only (never in the working directory) or an
    /// absolute path; default <c>semgrep</c>. A relative path is refused. Must be in <see cref="AllowedBinaries"/>.
    /// </summary>
    public string Binary { get; set; } = "semgrep";

    /// <summary>
    /// The executables that may run: bare names match bare names only, absolute paths match that exact path only
    /// (relative paths are refused).
    /// Default <c>semgrep</c>. Code sets this, not the environment, so a variable can't pick another program.
    /// </summary>
    public IList<string> AllowedBinaries { get; set; } = ["semgrep"];

    /// <summary><c>SEC0_SEMGREP_CONFIG</c>: the <c>--config</c> used when the policy's <c>sast.ruleset</c> is not set; default <c>auto</c>.</summary>
    public string Config { get; set; } = "auto";

    /// <summary><c>SEC0_SEMGREP_TIMEOUT_SEC</c>: Semgrep's <c>--timeout</c> (per rule and file), in seconds.</summary>
    public int TimeoutSeconds { get; set; } = DefaultTimeoutSeconds;

    /// <summary>The whole process is killed after this long (its verdict is <c>error</c>); default 3 × <see cref="TimeoutSeconds"/> + 10 s.</summary>
    public TimeSpan? ProcessTimeout { get; set; }

    /// <summary>
    /// <c>SEC0_SEMGREP_SERVICE_URL</c>: when set, the source is POSTed to this URL instead of running the
    /// CLI, and the response must be Semgrep's <c>--json</c> output.
    /// </summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>The client for <see cref="ServiceUrl"/>; default a shared client owned by the scanner.</summary>
    public HttpClient? HttpClient { get; set; }
}

namespace Sec0.Scanning;

/// <summary>
/// Settings of <see cref="NucleiScanner"/>. <see cref="NucleiScanner.FromEnvironment"/> fills them from
/// <c>NUCLEI_BIN</c>, <c>SEC0_NUCLEI_TEMPLATES</c>, <c>SEC0_NUCLEI_TIMEOUT_SEC</c> and <c>SEC0_NUCLEI_TARGET</c>.
/// </summary>
public sealed class NucleiScannerOptions
{
    /// <summary>
    /// <c>NUCLEI_BIN</c>: the CLI, a bare name looked up on PATH only (never in the working directory) or an absolute
    /// path; default <c>nuclei</c>. A relative path is refused. Must be in <see cref="AllowedBinaries"/>.
    /// </summary>
    public string Binary { get; set; } = "nuclei";

    /// <summary>The executables that may run (bare names match bare names, absolute paths match exact paths, relative paths are refused); default <c>nuclei</c>.</summary>
    public IList<string> AllowedBinaries { get; set; } = ["nuclei"];

    /// <summary><c>SEC0_NUCLEI_TEMPLATES</c>: the template file or folder used when the policy names none; null for Nuclei's default templates.</summary>
    public string? Templates { get; set; }

    /// <summary>
    /// Folders templates may come from: a templates path outside all of them is refused (an <c>error</c>
    /// result). Empty (the default) admits no templates path at all, only Nuclei's own default templates.
    /// </summary>
    public IList<string> AllowedTemplateDirectories { get; set; } = [];

    /// <summary><c>SEC0_NUCLEI_TIMEOUT_SEC</c>: Nuclei's <c>-timeout</c> (per request), in seconds; default 10.</summary>
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>The whole process is killed after this long (its result is <c>error</c>); default 10 minutes.</summary>
    public TimeSpan ProcessTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary><c>SEC0_NUCLEI_TARGET</c>: the target when the scan request has no sandbox URL.</summary>
    public Uri? Target { get; set; }
}

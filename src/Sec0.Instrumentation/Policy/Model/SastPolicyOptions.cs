namespace Sec0.Policy;

/// <summary>
/// The policy's <c>sast</c> block (Sec0's SAST options, DESIGN.md section 7). The scanner callback
/// (<c>onScan</c>) is code, not YAML: it is registered with the scanning component.
/// </summary>
public sealed record SastPolicyOptions
{
    /// <summary>The default <see cref="CacheTtlMs"/>: 24 hours.</summary>
    public const long DefaultCacheTtlMs = 24L * 60 * 60 * 1000;

    /// <summary>SAST off.</summary>
    public static SastPolicyOptions Default { get; } = new();

    /// <summary><c>enabled</c> (default false). When false, SAST verdicts are ignored by decisions.</summary>
    public bool Enabled { get; init; }

    /// <summary><c>block_on_change</c> (default false): a code hash with no verdict yet is <c>sast_pending</c>.</summary>
    public bool BlockOnChange { get; init; }

    /// <summary><c>block_on_severity</c> (default high): the lowest finding severity that makes a scan <c>fail</c>.</summary>
    public ScanSeverity BlockOnSeverity { get; init; } = ScanSeverity.High;

    /// <summary><c>cache_ttl_ms</c> (default 24 h): how long a verdict per code hash is kept.</summary>
    public long CacheTtlMs { get; init; } = DefaultCacheTtlMs;

    /// <summary><c>scan_all_on_server_change</c> (default false): rescan every hop when the set of hashes changed.</summary>
    public bool ScanAllOnServerChange { get; init; }

    /// <summary><c>fail_on_error</c> (.NET addition, default true = fail-closed): a scanner <c>error</c> counts as <c>sast_failed</c>.</summary>
    public bool FailOnError { get; init; } = true;

    /// <summary><c>ruleset</c>: the scanner ruleset (e.g. a Semgrep config), null for the scanner's default.</summary>
    public string? Ruleset { get; init; }
}

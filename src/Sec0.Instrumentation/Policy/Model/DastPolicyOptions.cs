namespace Sec0.Policy;

/// <summary>
/// The policy's <c>dast</c> block (Sec0's DAST options, DESIGN.md section 7). The scanner callback
/// (<c>onScan</c>) is code, not YAML: it is registered with the scanning component.
/// </summary>
public sealed record DastPolicyOptions
{
    /// <summary>The default <see cref="RuleTtlMs"/>: 24 hours.</summary>
    public const long DefaultRuleTtlMs = 24L * 60 * 60 * 1000;

    /// <summary>DAST off.</summary>
    public static DastPolicyOptions Default { get; } = new();

    /// <summary><c>enabled</c> (default false). When true, <see cref="SandboxUrl"/> is required.</summary>
    public bool Enabled { get; init; }

    /// <summary><c>block_on_change</c> (default false): a target with no verdict yet is <c>dast_pending</c>.</summary>
    public bool BlockOnChange { get; init; }

    /// <summary><c>block_on_severity</c> (default high): the lowest finding severity that makes a scan <c>fail</c>.</summary>
    public ScanSeverity BlockOnSeverity { get; init; } = ScanSeverity.High;

    /// <summary><c>block_on_count</c> (at least 1): a scan with this many findings fails; null when absent.</summary>
    public int? BlockOnCount { get; init; }

    /// <summary><c>rule_ttl_ms</c> (default 24 h): how long a dynamic block rule from a failed scan lasts.</summary>
    public long RuleTtlMs { get; init; } = DefaultRuleTtlMs;

    /// <summary><c>sandbox_url</c>: the absolute http(s) URL scanned; required when enabled.</summary>
    public Uri? SandboxUrl { get; init; }

    /// <summary><c>mode</c>: <c>sync</c> (default) or <c>async</c>.</summary>
    public DastScanMode Mode { get; init; } = DastScanMode.Sync;

    /// <summary><c>scope</c>: <c>server</c> (default) or <c>tool</c>.</summary>
    public DastScanScope Scope { get; init; } = DastScanScope.Server;

    /// <summary><c>templates</c>: the scanner's template file or folder, null for its default.</summary>
    public string? Templates { get; init; }

    /// <summary><c>tags</c>: template tags to run.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary><c>exclude_tags</c>: template tags to skip.</summary>
    public IReadOnlyList<string> ExcludeTags { get; init; } = [];

    /// <summary><c>severity</c>: the template severities to run; empty runs all.</summary>
    public IReadOnlyList<ScanSeverity> Severity { get; init; } = [];

    /// <summary><c>fail_on_error</c> (.NET addition, default true = fail-closed): a scanner <c>error</c> counts as <c>dast_failed</c>.</summary>
    public bool FailOnError { get; init; } = true;
}

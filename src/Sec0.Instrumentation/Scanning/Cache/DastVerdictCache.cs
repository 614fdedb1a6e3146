using Sec0.Policy;

namespace Sec0.Scanning;

/// <summary>
/// DAST verdicts per target: the sandbox (<c>scope: server</c>) or the sandbox, tool and handler hash
/// (<c>scope: tool</c>). A failed scan is a dynamic block rule for the target that lasts <c>rule_ttl_ms</c>;
/// when it lapses the target is scanned again and the <c>fail</c> stands until the new verdict replaces
/// it. Thresholds: <c>block_on_severity</c> and <c>block_on_count</c>. As for SAST, a scanner exception or
/// timeout is <c>error</c>, and the call path only reads.
/// </summary>
public sealed class DastVerdictCache : IDisposable
{
    private static readonly Func<(DastVerdictCache Cache, DastScanInfo Info), CancellationToken, Task<ScanOutcome>> s_scan =
        static (state, ct) => state.Cache.ScanOnceAsync(state.Info, ct);

    private readonly IDastScanner _scanner;
    private readonly ScanVerdictCache _cache;

    /// <summary>Creates a cache that scans with <paramref name="scanner"/> under the policy's <c>dast</c> block.</summary>
    public DastVerdictCache(IDastScanner scanner, DastPolicyOptions policy, ScanCacheOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(scanner);
        ArgumentNullException.ThrowIfNull(policy);
        _scanner = scanner;
        Policy = policy;
        _cache = new ScanVerdictCache("DAST", TimeSpan.FromMilliseconds(policy.RuleTtlMs), options ?? new ScanCacheOptions());
    }

    /// <summary>The policy's <c>dast</c> block.</summary>
    public DastPolicyOptions Policy { get; }

    /// <summary>The scan request for a server's or tool's target under the policy's scope and scanner selection.</summary>
    public DastScanInfo CreateInfo(string server, string tool, string handlerHash) => new()
    {
        Server = server,
        Tool = Policy.Scope == DastScanScope.Tool ? tool : "",
        HandlerHash = Policy.Scope == DastScanScope.Tool ? handlerHash : "",
        SandboxUrl = Policy.SandboxUrl,
        Templates = Policy.Templates,
        Tags = Policy.Tags,
        ExcludeTags = Policy.ExcludeTags,
        Severity = Policy.Severity,
    };

    /// <summary>The cache key of <paramref name="info"/>: one verdict per sandbox and server, plus tool and hash for <c>scope: tool</c>.</summary>
    public static string KeyOf(DastScanInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return $"{info.SandboxUrl}|{info.Server}|{info.Tool}|{info.HandlerHash}";
    }

    /// <summary>The verdict for the target now, without waiting; <paramref name="key"/> is <see cref="KeyOf"/> of <paramref name="info"/>, computed once by the caller.</summary>
    public ScanVerdict GetVerdict(string key, DastScanInfo info) => _cache.Read(key, (this, info), s_scan);

    /// <summary>Scans the target (or joins the running scan); <paramref name="rescan"/> ignores a fresh verdict.</summary>
    public Task<ScanVerdict> ScanAsync(DastScanInfo info, bool rescan = false) => _cache.Scan(KeyOf(info), (this, info), s_scan, rescan);

    /// <summary>Stops running scans (they end as <c>error</c>) and starts no more.</summary>
    public void Dispose() => _cache.Dispose();

    private async Task<ScanOutcome> ScanOnceAsync(DastScanInfo info, CancellationToken cancellationToken)
    {
        var result = await _scanner.ScanAsync(info, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("the scanner returned no result");
        var findings = result.Findings ?? [];
        var status = ScanVerdictRules.Evaluate(result.Status, findings, Policy.BlockOnSeverity, Policy.BlockOnCount);
        return new ScanOutcome(status, findings, result.ScanId, status == ScanStatus.Error ? result.Error ?? "the scanner reported an error" : null);
    }
}

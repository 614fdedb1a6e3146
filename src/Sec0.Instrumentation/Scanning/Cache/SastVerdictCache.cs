using Sec0.Hops;
using Sec0.Policy;

namespace Sec0.Scanning;

/// <summary>
/// SAST verdicts per compile-time body hash (<c>sha256:v1:...</c>), so a verdict can exist before a hop's
/// first call. Verdicts live <c>sast.cache_ttl_ms</c>; one scan runs per hash at a time and concurrent
/// callers share it; a scanner exception or timeout is an <c>error</c> verdict, which the policy's
/// <c>fail_on_error</c> turns into <c>sast_failed</c> (fail-closed) or records and allows. The call path
/// only reads (<see cref="GetVerdict"/>): it never waits for a scan.
/// </summary>
public sealed class SastVerdictCache : IDisposable
{
    private static readonly Func<(SastVerdictCache Cache, SastScanInfo Info), CancellationToken, Task<ScanOutcome>> s_scan =
        static (state, ct) => state.Cache.ScanOnceAsync(state.Info, ct);

    private readonly ISastScanner _scanner;
    private readonly ScanVerdictCache _cache;

    /// <summary>Creates a cache that scans with <paramref name="scanner"/> under the policy's <c>sast</c> block.</summary>
    public SastVerdictCache(ISastScanner scanner, SastPolicyOptions policy, ScanCacheOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(scanner);
        ArgumentNullException.ThrowIfNull(policy);
        _scanner = scanner;
        Policy = policy;
        _cache = new ScanVerdictCache("SAST", TimeSpan.FromMilliseconds(policy.CacheTtlMs), options ?? new ScanCacheOptions());
    }

    /// <summary>The policy's <c>sast</c> block.</summary>
    public SastPolicyOptions Policy { get; }

    /// <summary>
    /// The verdict for <paramref name="info"/>'s hash now, without waiting: a hash with no verdict (or an
    /// expired <c>pass</c>) is <c>pending</c> while a background scan runs; an expired <c>fail</c>/<c>error</c>
    /// stands until the rescan replaces it.
    /// </summary>
    public ScanVerdict GetVerdict(SastScanInfo info) => _cache.Read(info.HandlerHash, (this, info), s_scan);

    /// <summary>Scans <paramref name="info"/>'s hash (or joins the running scan) and returns the verdict; <paramref name="rescan"/> ignores a fresh verdict.</summary>
    public Task<ScanVerdict> ScanAsync(SastScanInfo info, bool rescan = false) => _cache.Scan(info.HandlerHash, (this, info), s_scan, rescan);

    /// <summary>The stored verdict of <paramref name="handlerHash"/>, fresh or stale; false when there is none.</summary>
    public bool TryGetVerdict(string handlerHash, out ScanVerdict verdict) => _cache.TryGet(handlerHash, out verdict);

    /// <summary>
    /// Starts background scans of every hop in <paramref name="manifest"/> at start-up, so verdicts exist
    /// before first calls. A hash that already has a fresh verdict is skipped unless <paramref name="rescanAll"/>
    /// (<c>scan_all_on_server_change</c> with a changed set of hashes). Returns the scans, for callers that want to wait.
    /// </summary>
    public IReadOnlyList<Task<ScanVerdict>> ScanManifest(IEnumerable<HopManifestEntry> manifest, string server, bool rescanAll)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var scans = new List<Task<ScanVerdict>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in manifest)
        {
            if (entry.BodyHash.Length == 0 || !seen.Add(entry.BodyHash))
            {
                continue;
            }

            scans.Add(ScanAsync(CreateInfo(entry, server), rescanAll));
        }

        return scans;
    }

    /// <summary>The scan request for one manifest entry.</summary>
    public SastScanInfo CreateInfo(HopManifestEntry entry, string server) => new()
    {
        Server = server,
        Tool = entry.Key,
        HandlerHash = entry.BodyHash,
        FilePath = entry.FilePath.Length == 0 ? null : entry.FilePath,
        StartLine = entry.StartLine,
        EndLine = entry.EndLine,
        Ruleset = Policy.Ruleset,
    };

    /// <summary>Stores a verdict known from elsewhere (the saved verdicts of the previous run).</summary>
    internal void Restore(ScanVerdict verdict) => _cache.Set(verdict);

    /// <summary>Every stored verdict, for saving.</summary>
    internal IReadOnlyList<ScanVerdict> Snapshot() => _cache.Snapshot();

    /// <summary>Stops running scans (they end as <c>error</c>) and starts no more.</summary>
    public void Dispose() => _cache.Dispose();

    private async Task<ScanOutcome> ScanOnceAsync(SastScanInfo info, CancellationToken cancellationToken)
    {
        if (info.Source is null && info.FilePath is { } path && File.Exists(path))
        {
            info = info with { Source = await ReadSpanAsync(path, info.StartLine, info.EndLine, cancellationToken).ConfigureAwait(false) };
        }

        var result = await _scanner.ScanAsync(info, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("the scanner returned no result");
        var findings = result.Findings ?? [];
        var status = ScanVerdictRules.Evaluate(result.Status, findings, Policy.BlockOnSeverity);
        return new ScanOutcome(status, findings, result.ScanId, status == ScanStatus.Error ? result.Error ?? "the scanner reported an error" : null);
    }

    private static async Task<string> ReadSpanAsync(string path, int startLine, int endLine, CancellationToken cancellationToken)
    {
        var lines = await File.ReadAllLinesAsync(path, cancellationToken).ConfigureAwait(false);
        if (startLine <= 0 || endLine < startLine || startLine > lines.Length)
        {
            return string.Join('\n', lines);
        }

        return string.Join('\n', lines[(startLine - 1)..Math.Min(endLine, lines.Length)]);
    }
}

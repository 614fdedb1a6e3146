using Microsoft.Extensions.Logging;
using Sec0.Config;
using Sec0.Hops;
using Sec0.Policy;

namespace Sec0.Scanning;

/// <summary>
/// The scans a Sec0 app starts with: SAST verdicts restored from the last run and every manifest hop scanned in the
/// background, DAST targets scanned (waited for in <c>mode: sync</c>), and the SAST verdicts saved for the next start.
/// </summary>
internal sealed class StartupScans(Sec0Config config, SastVerdictCache? sast, DastVerdictCache? dast, TimeProvider time, ILogger? logger)
{
    private readonly Lock _saveGate = new();

    private string StateDirectory => Path.Combine(config.ControlPlane.Sec0Dir, "scans");

    /// <summary>
    /// Starts the scans the policy enables, for <paramref name="manifest"/> or, when null, the entry assembly's hops.
    /// The task ends at once, except for DAST <c>mode: sync</c>, where it ends when those scans have verdicts.
    /// </summary>
    public Task StartAsync(IReadOnlyList<HopManifestEntry>? manifest, CancellationToken cancellationToken)
    {
        if (sast is not null)
        {
            manifest ??= ReadEntryManifest(logger);
            StartManifestScans(sast, manifest);
        }

        return dast is null ? Task.CompletedTask : StartDastScans(dast, manifest ?? ReadEntryManifest(logger), cancellationToken);
    }

    /// <summary>Saves the SAST verdicts for the next start; a failure only costs a rescan then, so it is logged, not thrown.</summary>
    public void SaveSastVerdicts()
    {
        if (sast is null)
        {
            return;
        }

        lock (_saveGate)
        {
            try
            {
                SastVerdictStore.Save(StateDirectory, sast.Snapshot(), sast.Policy.Ruleset, time.GetUtcNow());
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                logger?.SastVerdictsNotSaved(ex);
            }
        }
    }

    /// <summary>
    /// Scans every hop of the manifest in the background at start-up, so a hop whose code fails has a
    /// <c>fail</c> verdict before its first call. With <c>scan_all_on_server_change</c>, a changed set of
    /// hashes since the last start rescans every hop even when a verdict is still fresh.
    /// </summary>
    private void StartManifestScans(SastVerdictCache cache, IReadOnlyList<HopManifestEntry> manifest)
    {
        foreach (var verdict in SastVerdictStore.Load(StateDirectory, cache.Policy, time.GetUtcNow()))
        {
            cache.Restore(verdict);
        }

        if (manifest.Count == 0)
        {
            return;
        }

        bool changed;
        try
        {
            changed = ScanManifestState.Update(StateDirectory, manifest.Select(m => m.BodyHash));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Unknown counts as changed: scanning too much is safe, scanning too little is not.
            changed = true;
            logger?.HopHashesNotSaved(ex);
        }

        var scans = cache.ScanManifest(manifest, config.App.Client.Name ?? config.App.Tenant, rescanAll: cache.Policy.ScanAllOnServerChange && changed);
        _ = Task.WhenAll(scans).ContinueWith(_ => SaveSastVerdicts(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    /// <summary>
    /// Scans the DAST targets at start-up: the sandbox for <c>scope: server</c>, every manifest hop for
    /// <c>scope: tool</c>. <c>mode: sync</c> waits here for those scans (bounded by the scan timeout), so the
    /// first calls already have verdicts; <c>mode: async</c> lets them finish in the background.
    /// </summary>
    private Task StartDastScans(DastVerdictCache cache, IReadOnlyList<HopManifestEntry> manifest, CancellationToken cancellationToken)
    {
        var server = config.App.Client.Name ?? config.App.Tenant;
        var scans = cache.Policy.Scope == DastScanScope.Server
            ? [cache.ScanAsync(cache.CreateInfo(server, "", ""))]
            : manifest.Where(m => m.BodyHash.Length > 0).Select(m => cache.ScanAsync(cache.CreateInfo(server, m.Key, m.BodyHash))).ToList();
        // The cache turns a timeout or crash into an error verdict, so the sync wait always ends; cancelling it only
        // stops waiting (the scans still finish and fill the cache).
        return cache.Policy.Mode == DastScanMode.Sync ? Task.WhenAll(scans).WaitAsync(cancellationToken) : Task.CompletedTask;
    }

    private static IReadOnlyList<HopManifestEntry> ReadEntryManifest(ILogger? logger)
    {
        // Not Assembly.Location: it is empty in single-file apps; the dll sits in the base directory otherwise.
        var name = System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name;
        var path = name is null ? null : Path.Combine(AppContext.BaseDirectory, name + ".dll");
        if (path is null || !File.Exists(path))
        {
            return [];
        }

        try
        {
            return HopManifestReader.Read(path);
        }
        catch (Sec0Exception ex)
        {
            // Hops are still scanned at their first call; only the head start is lost.
            logger?.HopManifestUnreadable(ex, path);
            return [];
        }
    }
}

using Microsoft.Extensions.Logging;

namespace Sec0.Scanning;

/// <summary>
/// Run-time settings of <see cref="SastVerdictCache"/> and <c>DastVerdictCache</c> that are not
/// policy: the policy says what blocks, these say how scans run.
/// </summary>
public sealed class ScanCacheOptions
{
    /// <summary>The clock verdict lifetimes are measured on; default <see cref="System.TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>A scan running longer is cancelled and its verdict is <c>error</c>; default 5 minutes.</summary>
    public TimeSpan ScanTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long an <c>error</c> verdict stands before the key is scanned again; default 1 minute (capped by
    /// the policy's TTL). Until the rescan finishes the <c>error</c> stays: expiry never relaxes a verdict.
    /// </summary>
    public TimeSpan ErrorRetryAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long to wait before asking again a scanner that answered <c>pending</c>; default 30 seconds.</summary>
    public TimeSpan PendingRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>At most this many scans run at once (a manifest with 2,000 hops must not start 2,000 processes); default half the cores, at least 1.</summary>
    public int MaxConcurrentScans { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Where scanner errors are logged. Optional.</summary>
    public ILogger? Logger { get; set; }
}

using Microsoft.Extensions.Logging;
using Sec0.Hops;
using Sec0.Scanning;

namespace Sec0;

/// <summary>Options of <see cref="Sec0App.Initialize(string, Sec0AppOptions?)"/>.</summary>
public sealed class Sec0AppOptions
{
    /// <summary>Where Sec0 logs recovery, retention and audit failures. Optional.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>The clock of envelope timestamps; default <see cref="System.TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Environment-variable lookup (tests pass their own); default the process environment.</summary>
    public Func<string, string?>? Environment { get; set; }

    /// <summary>
    /// Create an Ed25519 key at <c>controlPlane.localSignerPath</c> (mode 0600) when none exists, as the
    /// quickstart does. Off by default: a missing key is an error in production.
    /// </summary>
    public bool CreateSigningKeyIfMissing { get; set; }

    /// <summary>
    /// The SAST scanner (Sec0's <c>sast.onScan</c>), e.g. <see cref="SemgrepScanner"/>. Required when the
    /// policy's <c>sast.enabled</c> is true: initialization fails without one rather than let unscanned code pass.
    /// </summary>
    public ISastScanner? SastScanner { get; set; }

    /// <summary>
    /// The DAST scanner (Sec0's <c>dast.onScan</c>), e.g. <see cref="NucleiScanner"/>. Required when the
    /// policy's <c>dast.enabled</c> is true.
    /// </summary>
    public IDastScanner? DastScanner { get; set; }

    /// <summary>How scans run (timeout, retry of errors, concurrency); default <see cref="ScanCacheOptions"/> with this app's clock and logger.</summary>
    public ScanCacheOptions? ScanOptions { get; set; }

    /// <summary>
    /// The hop manifest scanned at start-up so verdicts exist before first calls; default: read from the
    /// entry assembly with <see cref="HopManifestReader"/>.
    /// </summary>
    public IReadOnlyList<HopManifestEntry>? HopManifest { get; set; }

    /// <summary>
    /// Whether Sec0 exports its spans and metrics over OTLP itself. Null (the default): as the config says, that is when
    /// <c>otel.endpoint</c> (or <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>) is set and <c>otel.export</c> is not false. False: never,
    /// because the application has its own OpenTelemetry setup (<c>AddSec0</c> sets this when the host registers one).
    /// </summary>
    public bool? ExportTelemetry { get; set; }
}

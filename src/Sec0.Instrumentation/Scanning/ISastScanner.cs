namespace Sec0.Scanning;

/// <summary>
/// A SAST scanner: Sec0's <c>onScan</c> hook as an interface, so built-in adapters
/// (<see cref="SemgrepScanner"/>) and custom scanners plug in the same way. It runs off the call path
/// (<see cref="SastVerdictCache"/> starts it in the background) and may throw: an exception or a timeout
/// becomes an <c>error</c> verdict, never a pass.
/// </summary>
public interface ISastScanner
{
    /// <summary>Scans one handler. Honour <paramref name="cancellationToken"/>: it is cancelled at the scan timeout.</summary>
    Task<SastScanResult> ScanAsync(SastScanInfo info, CancellationToken cancellationToken);
}

namespace Sec0.Scanning;

/// <summary>A DAST scanner (Sec0's DAST <c>onScan</c>); as <see cref="ISastScanner"/>, exceptions and timeouts become <c>error</c>.</summary>
public interface IDastScanner
{
    /// <summary>Scans the sandbox target. Honour <paramref name="cancellationToken"/>: it is cancelled at the scan timeout.</summary>
    Task<DastScanResult> ScanAsync(DastScanInfo info, CancellationToken cancellationToken);
}

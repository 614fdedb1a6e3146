using Sec0.Scanning;

namespace Sec0.Instrumentation.Tests.Scanning;

/// <summary>A DAST scanner whose answer the test decides per call.</summary>
public sealed class FakeDastScanner(Func<DastScanInfo, DastScanResult> scan) : IDastScanner
{
    public Task<DastScanResult> ScanAsync(DastScanInfo info, CancellationToken cancellationToken) => Task.Run(() => scan(info), cancellationToken);
}

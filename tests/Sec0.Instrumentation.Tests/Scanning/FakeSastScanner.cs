using Sec0.Scanning;

namespace Sec0.Instrumentation.Tests.Scanning;

/// <summary>A scanner whose answer the test decides per call; counts calls.</summary>
public sealed class FakeSastScanner(Func<SastScanInfo, CancellationToken, Task<SastScanResult>> scan) : ISastScanner
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public List<SastScanInfo> Requests { get; } = [];

    public Task<SastScanResult> ScanAsync(SastScanInfo info, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        lock (Requests)
        {
            Requests.Add(info);
        }

        return scan(info, cancellationToken);
    }

    public static FakeSastScanner Returning(SastScanResult result) => new((_, _) => Task.FromResult(result));
}

using System.Diagnostics;

namespace Sec0.Benchmarks;

/// <summary>
/// A quick Stopwatch look at <see cref="McpToolCallBenchmarks"/> (no BenchmarkDotNet): interleaved batches of
/// calls without and with Sec0, median per-call time of each. <c>dotnet run -c Release --project tests/Sec0.Benchmarks -- --quick-mcp [rounds]</c>
/// </summary>
internal static class McpQuickTiming
{
    public static void Run(int rounds) =>
        Compare(string.Empty, warmupCalls: 6000, (bench, plain, secured) =>
        {
            const int Batch = 2000;
            for (var r = 0; r < rounds; r++)
            {
                plain.Add(Time(bench.WithoutSec0, Batch));
                secured.Add(Time(bench.WithSec0, Batch));
            }
        });

    /// <summary>
    /// Light load: one call at a time, each starting with the audit writer idle (everything before it written),
    /// alternating between the two servers; the median single-call latency of each.
    /// </summary>
    public static void RunPaced(int calls) =>
        Compare(" (one call at a time)", warmupCalls: 4000, (bench, plain, secured) =>
        {
            for (var i = 0; i < calls; i++)
            {
                bench.WaitForIdleWriter();
                plain.Add(Time(bench.WithoutSec0, 1));
                bench.WaitForIdleWriter();
                secured.Add(Time(bench.WithSec0, 1));
            }
        });

    // Per signing mode: both servers up, warmed up alternately, measured, medians printed.
    private static void Compare(string label, int warmupCalls, Action<McpToolCallBenchmarks, List<double>, List<double>> measure)
    {
        foreach (var mode in new[] { Sec0.Audit.AuditSigningMode.PerEnvelope, Sec0.Audit.AuditSigningMode.Checkpoint })
        {
            var bench = new McpToolCallBenchmarks { Signing = mode };
            bench.Setup();
            for (var i = 0; i < warmupCalls; i++)
            {
                bench.WithoutSec0().GetAwaiter().GetResult();
                bench.WithSec0().GetAwaiter().GetResult();
            }

            var plain = new List<double>();
            var secured = new List<double>();
            measure(bench, plain, secured);
            var p = Median(plain);
            var s = Median(secured);
            Console.WriteLine($"{mode}{label}: without {p:F1} us, with {s:F1} us, ratio {s / p:F2}");
            bench.Cleanup();
        }
    }

    private static double Time(Func<Task> call, int n)
    {
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < n; i++)
        {
            call().GetAwaiter().GetResult();
        }

        return sw.Elapsed.TotalMicroseconds / n;
    }

    private static double Median(List<double> xs)
    {
        xs.Sort();
        return xs[xs.Count / 2];
    }
}

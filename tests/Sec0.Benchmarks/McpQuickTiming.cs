using System.Diagnostics;

namespace Sec0.Benchmarks;

/// <summary>
/// A quick Stopwatch look at <see cref="McpToolCallBenchmarks"/> (no BenchmarkDotNet): interleaved batches of
/// calls without and with Sec0; the median of the batch means (what BenchmarkDotNet's median is) and the
/// median, p90 and p99 of the single calls. <c>dotnet run -c Release --project tests/Sec0.Benchmarks -- --quick-mcp [rounds] [per_envelope|checkpoint]</c>
/// </summary>
internal static class McpQuickTiming
{
    private const int Batch = 2000;

    /// <summary>The signing modes named after the call count (<c>per_envelope</c>, <c>checkpoint</c>); both when none is.</summary>
    public static Sec0.Audit.AuditSigningMode[] Modes(string[] args)
    {
        var named = args.Skip(2).Select(a => a switch
        {
            "per_envelope" => Sec0.Audit.AuditSigningMode.PerEnvelope,
            "checkpoint" => Sec0.Audit.AuditSigningMode.Checkpoint,
            _ => throw new ArgumentException($"Unknown signing mode '{a}': use per_envelope or checkpoint."),
        }).ToArray();
        return named.Length > 0 ? named : [Sec0.Audit.AuditSigningMode.PerEnvelope, Sec0.Audit.AuditSigningMode.Checkpoint];
    }

    public static void Run(int rounds, Sec0.Audit.AuditSigningMode[] modes) =>
        Compare(string.Empty, modes, warmupCalls: 6000, callsPerSample: Batch, (bench, plain, secured) =>
        {
            var plainCalls = new List<double>(rounds * Batch);
            var securedCalls = new List<double>(rounds * Batch);
            for (var r = 0; r < rounds; r++)
            {
                plain.Add(Time(bench.WithoutSec0, Batch, plainCalls));
                secured.Add(Time(bench.WithSec0, Batch, securedCalls));
            }

            plainCalls.Sort();
            securedCalls.Sort();
            return $"single calls: median {Percentile(plainCalls, 0.5):F1} -> {Percentile(securedCalls, 0.5):F1} us (ratio {Percentile(securedCalls, 0.5) / Percentile(plainCalls, 0.5):F2}), " +
                $"p90 {Percentile(plainCalls, 0.9):F1} -> {Percentile(securedCalls, 0.9):F1} us, p99 {Percentile(plainCalls, 0.99):F1} -> {Percentile(securedCalls, 0.99):F1} us";
        });

    /// <summary>
    /// Light load: one call at a time, each starting with the audit writer idle (everything before it written),
    /// alternating between the two servers; the median single-call latency of each.
    /// </summary>
    public static void RunPaced(int calls, Sec0.Audit.AuditSigningMode[] modes) =>
        Compare(" (one call at a time)", modes, warmupCalls: 4000, callsPerSample: 1, (bench, plain, secured) =>
        {
            for (var i = 0; i < calls; i++)
            {
                bench.WaitForIdleWriter();
                plain.Add(Time(bench.WithoutSec0, 1));
                bench.WaitForIdleWriter();
                secured.Add(Time(bench.WithSec0, 1));
            }

            return null;
        });

    // Per signing mode: both servers up, warmed up alternately, measured, medians printed, with the audit
    // writer thread's CPU time per envelope (Linux), which explains most of the difference back to back.
    private static void Compare(string label, Sec0.Audit.AuditSigningMode[] modes, int warmupCalls, int callsPerSample, Func<McpToolCallBenchmarks, List<double>, List<double>, string?> measure)
    {
        foreach (var mode in modes)
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
            var writerBefore = WriterCpuNanoseconds();
            var detail = measure(bench, plain, secured);
            bench.WaitForIdleWriter(0);
            var writerNs = WriterCpuNanoseconds() - writerBefore;
            plain.Sort();
            secured.Sort();
            var p = Percentile(plain, 0.5);
            var s = Percentile(secured, 0.5);
            // Paced, every call ends with a flush (fsync), which would dominate the figure: back to back only.
            var writer = writerNs > 0 && callsPerSample > 1 ? $", audit writer CPU {writerNs / 1000.0 / (secured.Count * callsPerSample):F2} us per envelope" : string.Empty;
            Console.WriteLine($"{mode}{label}: without {p:F1} us, with {s:F1} us, ratio {s / p:F2}{writer}");
            if (detail is not null)
            {
                Console.WriteLine($"  {detail}");
            }

            bench.Cleanup();
        }
    }

    // The mean µs per call of n calls; with `each`, every call's own µs is added to it too.
    private static double Time(Func<Task> call, int n, List<double>? each = null)
    {
        var started = Stopwatch.GetTimestamp();
        var last = started;
        for (var i = 0; i < n; i++)
        {
            call().GetAwaiter().GetResult();
            if (each is not null)
            {
                var now = Stopwatch.GetTimestamp();
                each.Add(Stopwatch.GetElapsedTime(last, now).TotalMicroseconds);
                last = now;
            }
        }

        return Stopwatch.GetElapsedTime(started).TotalMicroseconds / n;
    }

    // Run time of the "Sec0 audit writer" thread from /proc (schedstat, ns); 0 where there is no /proc.
    private static long WriterCpuNanoseconds()
    {
        if (!Directory.Exists("/proc/self/task"))
        {
            return 0;
        }

        long total = 0;
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith("Sec0 audit", StringComparison.Ordinal))
                {
                    total += long.Parse(File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                }
            }
            catch (IOException)
            {
                // The thread ended between listing and reading.
            }
        }

        return total;
    }

    // `sorted` is in ascending order: each list is sorted once, not once per percentile.
    private static double Percentile(List<double> sorted, double p)
    {
        return sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * p))];
    }
}

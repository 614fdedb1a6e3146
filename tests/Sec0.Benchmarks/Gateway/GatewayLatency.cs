using System.Diagnostics;
using System.Globalization;

namespace Sec0.Benchmarks.Gateway;

/// <summary>
/// Per-request latency percentiles for the gateway benchmarks (BenchmarkDotNet reports per-batch statistics only):
/// <c>dotnet run -c Release --project tests/Sec0.Benchmarks -- --gateway-latency [requests] [legacy|mcp]... [variant]...</c>
/// (variants: bare, yarp, gatewaycheckpoint, gatewayperenvelope; all when none is named).
/// One process, one rig (<see cref="GatewayBenchRig"/>); for each upstream, every variant gets a warm-up and then
/// <c>requests</c> timed requests in interleaved batches of 1,000 (8 in flight, as in the BenchmarkDotNet class), so
/// slow drifts of a shared machine hit every variant alike. Prints requests/s (requests over the summed wall time
/// of the variant's batches), p50 and p99 of the single requests, the ratio of requests/s to the bare forward's,
/// the process CPU time per request, and the envelopes each gateway wrote.
/// </summary>
internal static class GatewayLatency
{
    private const int Batch = 1000;

    public static void Run(string[] args)
    {
        var requests = args.Length > 1 && int.TryParse(args[1], CultureInfo.InvariantCulture, out var n) ? n : 20_000;
        var upstreams = args.Skip(2).Where(a => a is "legacy" or "mcp").ToArray();
        var only = args.Skip(2).Where(a => a is not ("legacy" or "mcp")).Select(a => Enum.Parse<GatewayBenchVariant>(a, ignoreCase: true)).ToArray();
        if (upstreams.Length == 0)
        {
            upstreams = ["legacy", "mcp"];
        }

        requests = Math.Max(Batch, requests / Batch * Batch);
        RunAsync(requests, upstreams, only).GetAwaiter().GetResult();
    }

    private static async Task RunAsync(int requests, string[] upstreams, GatewayBenchVariant[] only)
    {
        await using var rig = await GatewayBenchRig.StartAsync();
        var concurrency = GatewayThroughputBenchmarks.Concurrency;
        Console.WriteLine($"# gateway latency: {requests:N0} requests per variant, {concurrency} in flight, interleaved batches of {Batch:N0}; {Environment.ProcessorCount} cores, .NET {Environment.Version}, load average {LoadAverage()}");
        foreach (var upstream in upstreams)
        {
            GatewayBenchVariant[] variants = upstream == "legacy"
                ? [GatewayBenchVariant.Bare, GatewayBenchVariant.Yarp, GatewayBenchVariant.GatewayCheckpoint, GatewayBenchVariant.GatewayPerEnvelope]
                : [GatewayBenchVariant.Bare, GatewayBenchVariant.GatewayCheckpoint, GatewayBenchVariant.GatewayPerEnvelope];
            if (only.Length > 0)
            {
                // For profiling one variant alone (e.g. under perf): only the variants named.
                variants = [.. variants.Where(only.Contains)];
            }

            var urls = variants.Select(v => rig.UrlOf(v, upstream)).ToArray();
            foreach (var url in urls)
            {
                await rig.SendBatchAsync(url, 3 * Batch, concurrency);
            }

            var envelopesBefore = new[] { await rig.Checkpoint.EnvelopesAsync(), await rig.PerEnvelope.EnvelopesAsync() };
            var latencies = variants.Select(_ => new double[requests]).ToArray();
            var wall = new double[variants.Length];
            var cpu = new double[variants.Length];
            for (var round = 0; round < requests / Batch; round++)
            {
                for (var v = 0; v < variants.Length; v++)
                {
                    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                    var started = Stopwatch.GetTimestamp();
                    await rig.SendBatchAsync(urls[v], Batch, concurrency, latencies[v], round * Batch);
                    wall[v] += Stopwatch.GetElapsedTime(started).TotalSeconds;
                    cpu[v] += (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds;
                }
            }

            var envelopes = new[] { await rig.Checkpoint.EnvelopesAsync() - envelopesBefore[0], await rig.PerEnvelope.EnvelopesAsync() - envelopesBefore[1] };
            Console.WriteLine();
            Console.WriteLine($"## upstream: {upstream} (load average {LoadAverage()})");
            Console.WriteLine("| variant | req/s | p50 | p99 | req/s ratio to bare | CPU per request (whole process) | envelopes written |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            var bareRate = variants[0] == GatewayBenchVariant.Bare ? requests / wall[0] : double.NaN;
            for (var v = 0; v < variants.Length; v++)
            {
                Array.Sort(latencies[v]);
                var rate = requests / wall[v];
                var written = variants[v] switch
                {
                    GatewayBenchVariant.GatewayCheckpoint => envelopes[0].ToString("N0", CultureInfo.InvariantCulture),
                    GatewayBenchVariant.GatewayPerEnvelope => envelopes[1].ToString("N0", CultureInfo.InvariantCulture),
                    _ => "-",
                };
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {variants[v]} | {rate:N0} | {Percentile(latencies[v], 0.50):N0} µs | {Percentile(latencies[v], 0.99):N0} µs | {rate / bareRate:F2} | {cpu[v] / requests:N0} µs | {written} |"));
            }
        }

        if (Interlocked.Read(ref rig.Failures) is var failures and > 0)
        {
            Console.WriteLine($"{failures} requests failed.");
        }
    }

    internal static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    internal static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }
}

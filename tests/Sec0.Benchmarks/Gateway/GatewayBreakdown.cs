using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Sec0.Audit;
using Sec0.Gateway.Upstreams;

namespace Sec0.Benchmarks.Gateway;

/// <summary>
/// Where the gateway's time goes, by subtraction: <c>dotnet run -c Release --project tests/Sec0.Benchmarks --
/// --gateway-breakdown [requests]</c>. Interleaved batches (as <see cref="GatewayLatency"/>) to the legacy tool
/// server through the bare forward and the checkpoint gateway, and four cut-down variants: a handler that answers
/// the body itself (no upstream), the same gateway with idempotency off, the gateway with an in-process upstream
/// that answers the arguments without any HTTP hop, and that gateway with idempotency off as well. Prints
/// requests/s and the process CPU time per request of each.
/// </summary>
internal static class GatewayBreakdown
{
    private const int Batch = 1000;

    public static void Run(string[] args)
    {
        var requests = args.Length > 1 && int.TryParse(args[1], CultureInfo.InvariantCulture, out var n) ? Math.Max(Batch, n / Batch * Batch) : 20_000;
        RunAsync(requests).GetAwaiter().GetResult();
    }

    private static async Task RunAsync(int requests)
    {
        await using var rig = await GatewayBenchRig.StartAsync();
        await using var noDedupe = await GatewayBenchRig.GatewayUnderTest.StartAsync(rig.Folder("no-dedupe"), AuditSigningMode.Checkpoint, rig.Upstreams, o => o.Dedupe.Enabled = false);
        await using var local = await GatewayBenchRig.GatewayUnderTest.StartAsync(rig.Folder("local"), AuditSigningMode.Checkpoint, rig.Upstreams, o => o.Upstreams["legacy"] = new EchoUpstream());
        await using var localNoDedupe = await GatewayBenchRig.GatewayUnderTest.StartAsync(rig.Folder("local-no-dedupe"), AuditSigningMode.Checkpoint, rig.Upstreams, o =>
        {
            o.Upstreams["legacy"] = new EchoUpstream();
            o.Dedupe.Enabled = false;
        });

        (string Name, Uri Url)[] variants =
        [
            ("bare forward (HttpClient → tool server)", rig.UrlOf(GatewayBenchVariant.Bare, "legacy")),
            ("handler answering itself (no upstream)", new Uri(rig.Bare.Url, "local/echo@1.0.0")),
            ("gateway, checkpoint (→ tool server)", rig.UrlOf(GatewayBenchVariant.GatewayCheckpoint, "legacy")),
            ("gateway, checkpoint, idempotency off", new Uri(noDedupe.Url, "mcp/legacy/echo@1.0.0")),
            ("gateway, checkpoint, in-process upstream", new Uri(local.Url, "mcp/legacy/echo@1.0.0")),
            ("gateway, checkpoint, in-process upstream, idempotency off", new Uri(localNoDedupe.Url, "mcp/legacy/echo@1.0.0")),
        ];
        var concurrency = GatewayThroughputBenchmarks.Concurrency;
        foreach (var (_, url) in variants)
        {
            await rig.SendBatchAsync(url, 3 * Batch, concurrency);
        }

        var wall = new double[variants.Length];
        var cpu = new double[variants.Length];
        var gen0 = new int[variants.Length];
        for (var round = 0; round < requests / Batch; round++)
        {
            for (var v = 0; v < variants.Length; v++)
            {
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var gcBefore = GC.CollectionCount(0);
                var started = Stopwatch.GetTimestamp();
                await rig.SendBatchAsync(variants[v].Url, Batch, concurrency);
                wall[v] += Stopwatch.GetElapsedTime(started).TotalSeconds;
                cpu[v] += (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds;
                gen0[v] += GC.CollectionCount(0) - gcBefore;
            }
        }

        Console.WriteLine($"# gateway breakdown: {requests:N0} requests per variant, {concurrency} in flight, interleaved batches of {Batch:N0}; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        Console.WriteLine("| variant | req/s | CPU per request (whole process) | gen0 GCs per 1,000 requests |");
        Console.WriteLine("|---|---:|---:|---:|");
        for (var v = 0; v < variants.Length; v++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {variants[v].Name} | {requests / wall[v]:N0} | {cpu[v] / requests:N0} µs | {gen0[v] * 1000.0 / requests:F1} |"));
        }
    }

    /// <summary>An upstream in the gateway's process: the arguments back, as the legacy echo would answer.</summary>
    private sealed class EchoUpstream : IGatewayUpstream
    {
        public ValueTask<UpstreamResult> CallToolAsync(UpstreamCall call, CancellationToken cancellationToken)
            => ValueTask.FromResult(UpstreamResult.Ok(JsonSerializer.SerializeToUtf8Bytes(call.Arguments), 200));

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

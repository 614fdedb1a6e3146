using System.Diagnostics;
using System.Globalization;
using Sec0.Audit;
using Sec0.Gateway;
using Sec0.Gateway.Entitlements;
using Sec0.Policy;
using Sec0.Tests;

namespace Sec0.Benchmarks.Gateway;

/// <summary>
/// What the shared state costs a request:
/// <c>dotnet run -c Release --project tests/Sec0.Benchmarks -- --gateway-state [requests]</c>.
/// The bare forward, the gateway with its in-memory stores and the gateway with the PostgreSQL stores (a cluster this
/// run creates on 127.0.0.1, <see cref="PostgresCluster"/>), all to the legacy tool server, audit in checkpoint mode.
/// Two rounds: one request at a time (the latency a single caller sees, where the p50 difference is the store's
/// round trips) and 8 in flight (throughput). Variants are interleaved in batches of 1,000, as in
/// <see cref="GatewayLatency"/>. The PostgreSQL gateway runs a daily quota too, so its requests pay the quota upsert
/// as well as the idempotency claim and completion; the in-memory gateway has the same quota in memory.
/// </summary>
internal static class GatewayStateLatency
{
    private const int Batch = 1000;

    public static void Run(string[] args)
    {
        var requests = args.Length > 1 && int.TryParse(args[1], CultureInfo.InvariantCulture, out var n) ? n : 10_000;
        RunAsync(Math.Max(Batch, requests / Batch * Batch)).GetAwaiter().GetResult();
    }

    /// <summary>Sets the quota both gateways check: a daily limit no run reaches, so every request is counted and let through.</summary>
    internal static void WithQuota(Sec0GatewayOptions options)
    {
        ToolRefPattern.TryParse("mcp://legacy/*@*", out var all, out _);
        options.Entitlements = new GatewayEntitlements
        {
            DefaultPlan = "bench",
            Plans = new Dictionary<string, long?> { ["bench"] = 1_000_000_000 },
            Tenants = new Dictionary<string, TenantEntitlement> { ["bench"] = new() { Allowlist = [all!] } },
        };
    }

    private static async Task RunAsync(int requests)
    {
        await using var cluster = await PostgresCluster.StartNewAsync();
        await StoreRoundTripsAsync(cluster);
        await using var rig = await GatewayBenchRig.StartAsync();
        await using var memory = await GatewayBenchRig.GatewayUnderTest.StartAsync(rig.Folder("state-memory"), AuditSigningMode.Checkpoint, rig.Upstreams, o =>
        {
            WithQuota(o);
            o.QuotaStore = new Sec0.Gateway.State.InMemoryQuotaStore();
        });
        await using var postgres = await GatewayBenchRig.GatewayUnderTest.StartAsync(rig.Folder("state-postgres"), AuditSigningMode.Checkpoint, rig.Upstreams, o =>
        {
            WithQuota(o);
            o.PostgresState = new GatewayPostgresStateOptions { ConnectionString = cluster.ConnectionString, Schema = cluster.NewSchema() };
        });

        string[] names = ["bare forward", "gateway, in-memory state", "gateway, PostgreSQL state"];
        Uri[] urls =
        [
            rig.UrlOf(GatewayBenchVariant.Bare, "legacy"),
            new(memory.Url, "mcp/legacy/echo@1.0.0"),
            new(postgres.Url, "mcp/legacy/echo@1.0.0"),
        ];
        Console.WriteLine($"# gateway state: {requests:N0} requests per variant, interleaved batches of {Batch:N0}; {Environment.ProcessorCount} cores, .NET {Environment.Version}, load average {GatewayLatency.LoadAverage()}");
        foreach (var concurrency in new[] { 1, GatewayThroughputBenchmarks.Concurrency })
        {
            foreach (var url in urls)
            {
                await rig.SendBatchAsync(url, 2 * Batch, concurrency);
            }

            var latencies = urls.Select(_ => new double[requests]).ToArray();
            var wall = new double[urls.Length];
            var cpu = new double[urls.Length];
            for (var round = 0; round < requests / Batch; round++)
            {
                for (var v = 0; v < urls.Length; v++)
                {
                    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                    var started = Stopwatch.GetTimestamp();
                    await rig.SendBatchAsync(urls[v], Batch, concurrency, latencies[v], round * Batch);
                    wall[v] += Stopwatch.GetElapsedTime(started).TotalSeconds;
                    cpu[v] += (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds;
                }
            }

            Console.WriteLine();
            Console.WriteLine($"## {concurrency} in flight (load average {GatewayLatency.LoadAverage()})");
            Console.WriteLine("| variant | req/s | p50 | p99 | req/s ratio to bare | p50 added to in-memory | CPU per request (this process) |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (var l in latencies)
            {
                Array.Sort(l);
            }

            var bareRate = requests / wall[0];
            var memoryP50 = GatewayLatency.Percentile(latencies[1], 0.50);
            for (var v = 0; v < urls.Length; v++)
            {
                var rate = requests / wall[v];
                var p50 = GatewayLatency.Percentile(latencies[v], 0.50);
                var added = v == 2 ? string.Create(CultureInfo.InvariantCulture, $"{p50 - memoryP50:N0} µs") : "-";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {names[v]} | {rate:N0} | {p50:N0} µs | {GatewayLatency.Percentile(latencies[v], 0.99):N0} µs | {rate / bareRate:F2} | {added} | {cpu[v] / requests:N0} µs |"));
            }
        }

        Console.WriteLine();
        Console.WriteLine($"envelopes: in-memory {await memory.EnvelopesAsync():N0}, PostgreSQL {await postgres.EnvelopesAsync():N0}; failed requests: {Interlocked.Read(ref rig.Failures)}");
    }

    /// <summary>
    /// The stores alone, one call at a time, without HTTP: a bare <c>SELECT 1</c> round trip, then each statement a
    /// request runs (the claim of a new key, its completion, the daily quota count), so the gateway's figures can be
    /// read as round trips.
    /// </summary>
    private static async Task StoreRoundTripsAsync(PostgresCluster cluster)
    {
        const int Calls = 5000;
        await using var state = await Sec0.Gateway.State.Postgres.PostgresGatewayState.OpenAsync(cluster.ConnectionString, cluster.NewSchema(), TimeProvider.System, null, CancellationToken.None);
        await using var plain = Npgsql.NpgsqlDataSource.Create(cluster.ConnectionString);
        var response = new Sec0.Gateway.State.StoredResponse(200, "application/json", new byte[600]);
        var leases = new string[Calls];
        var steps = new (string Name, Func<int, Task> Call)[]
        {
            ("SELECT 1 (one round trip)", async i =>
            {
                await using var command = plain.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync();
            }),
            ("idempotency claim, new key", async i =>
            {
                var claim = await state.Idempotency.ClaimAsync(Key(i), "hash", TimeSpan.FromMinutes(1), DateTimeOffset.UtcNow, CancellationToken.None);
                leases[i] = claim.LeaseId!;
            }),
            ("idempotency completion", async i =>
                await state.Idempotency.CompleteAsync(Key(i), leases[i], response, TimeSpan.FromMinutes(1), DateTimeOffset.UtcNow, CancellationToken.None)),
            ("daily quota count", async i =>
                await state.Quotas.TryCountAsync("bench", "mcp://legacy/echo@1.0.0", 1_000_000_000, DateTimeOffset.UtcNow, CancellationToken.None)),
        };

        Console.WriteLine($"# PostgreSQL stores alone: {Calls:N0} calls each, one at a time (load average {GatewayLatency.LoadAverage()})");
        Console.WriteLine("| statement | p50 | p99 | CPU per call (this process) |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (name, call) in steps)
        {
            var times = new double[Calls];
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            for (var i = 0; i < Calls; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await call(i);
                times[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
            }

            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds / Calls;
            Array.Sort(times);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {GatewayLatency.Percentile(times, 0.5):N0} µs | {GatewayLatency.Percentile(times, 0.99):N0} µs | {cpu:N0} µs |"));
        }

        Console.WriteLine();

        static Sec0.Gateway.State.IdempotencyKey Key(int i) => new("bench", "legacy", "echo@1.0.0", "k" + i.ToString(CultureInfo.InvariantCulture));
    }
}

using BenchmarkDotNet.Attributes;

namespace Sec0.Benchmarks.Gateway;

/// <summary>
/// Throughput of a loopback client through the Sec0 gateway against the same client through a bare forward, to the
/// same Sec0 TS-style tool server (<c>POST /invoke/{tool@version}</c>, a Kestrel echo): the upstream a user would
/// front, cheap enough that the figures are the forwarders'. Each operation is a batch of
/// <see cref="Requests"/> requests, <see cref="Concurrency"/> at a time over one <see cref="HttpClient"/>, each with a
/// fresh idempotency key; <c>[Benchmark(OperationsPerInvoke = …)]</c> makes the reported time per request, so
/// requests/s = 1 s / Mean. Client, forwarder and tool server share this process and its cores.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class GatewayThroughputBenchmarks
{
    /// <summary>Requests per operation.</summary>
    public const int Requests = 64;

    /// <summary>Requests in flight at once.</summary>
    public const int Concurrency = 8;

    private GatewayBenchRig _rig = null!;
    private Uri _bare = null!;
    private Uri _yarp = null!;
    private Uri _checkpoint = null!;
    private Uri _perEnvelope = null!;

    private const string Upstream = "legacy";

    [GlobalSetup]
    public void Setup()
    {
        _rig = GatewayBenchRig.StartAsync().GetAwaiter().GetResult();
        _bare = _rig.UrlOf(GatewayBenchVariant.Bare, Upstream);
        _yarp = _rig.UrlOf(GatewayBenchVariant.Yarp, Upstream);
        _checkpoint = _rig.UrlOf(GatewayBenchVariant.GatewayCheckpoint, Upstream);
        _perEnvelope = _rig.UrlOf(GatewayBenchVariant.GatewayPerEnvelope, Upstream);

        // Connections, the MCP sessions and the first JIT, before BenchmarkDotNet's own warm-up.
        foreach (var url in new[] { _bare, _yarp, _checkpoint, _perEnvelope })
        {
            _rig.SendBatchAsync(url, Requests, Concurrency).GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _rig.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>A minimal ASP.NET Core handler forwarding with HttpClient.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Requests)]
    public Task BareForward() => _rig.SendBatchAsync(_bare, Requests, Concurrency);

    /// <summary>YARP's MapForwarder.</summary>
    [Benchmark(OperationsPerInvoke = Requests)]
    public Task YarpForward() => _rig.SendBatchAsync(_yarp, Requests, Concurrency);

    /// <summary>The Sec0 gateway, audit log in checkpoint mode.</summary>
    [Benchmark(OperationsPerInvoke = Requests)]
    public Task Gateway_Checkpoint() => _rig.SendBatchAsync(_checkpoint, Requests, Concurrency);

    /// <summary>The Sec0 gateway, every envelope signed (Ed25519).</summary>
    [Benchmark(OperationsPerInvoke = Requests)]
    public Task Gateway_PerEnvelope() => _rig.SendBatchAsync(_perEnvelope, Requests, Concurrency);
}

/// <summary>
/// The same against an MCP server over Streamable HTTP (the official SDK, stateless): the bare forward is a minimal
/// handler calling <c>McpClient.CallToolAsync</c>, the gateway its MCP upstream (the same SDK client).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class GatewayMcpThroughputBenchmarks
{
    private GatewayBenchRig _rig = null!;
    private Uri _bare = null!;
    private Uri _checkpoint = null!;
    private Uri _perEnvelope = null!;

    [GlobalSetup]
    public void Setup()
    {
        _rig = GatewayBenchRig.StartAsync().GetAwaiter().GetResult();
        _bare = _rig.UrlOf(GatewayBenchVariant.Bare, "mcp");
        _checkpoint = _rig.UrlOf(GatewayBenchVariant.GatewayCheckpoint, "mcp");
        _perEnvelope = _rig.UrlOf(GatewayBenchVariant.GatewayPerEnvelope, "mcp");
        foreach (var url in new[] { _bare, _checkpoint, _perEnvelope })
        {
            _rig.SendBatchAsync(url, GatewayThroughputBenchmarks.Requests, GatewayThroughputBenchmarks.Concurrency).GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _rig.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>A minimal ASP.NET Core handler calling the MCP SDK client.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = GatewayThroughputBenchmarks.Requests)]
    public Task BareForward() => _rig.SendBatchAsync(_bare, GatewayThroughputBenchmarks.Requests, GatewayThroughputBenchmarks.Concurrency);

    /// <summary>The Sec0 gateway, audit log in checkpoint mode.</summary>
    [Benchmark(OperationsPerInvoke = GatewayThroughputBenchmarks.Requests)]
    public Task Gateway_Checkpoint() => _rig.SendBatchAsync(_checkpoint, GatewayThroughputBenchmarks.Requests, GatewayThroughputBenchmarks.Concurrency);

    /// <summary>The Sec0 gateway, every envelope signed (Ed25519).</summary>
    [Benchmark(OperationsPerInvoke = GatewayThroughputBenchmarks.Requests)]
    public Task Gateway_PerEnvelope() => _rig.SendBatchAsync(_perEnvelope, GatewayThroughputBenchmarks.Requests, GatewayThroughputBenchmarks.Concurrency);
}

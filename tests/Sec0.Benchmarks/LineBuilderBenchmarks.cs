using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Sec0.Audit;
using Sec0.Signing;

namespace Sec0.Benchmarks;

/// <summary>
/// The writer thread's work per line, without queue or disk: canonical JSON, chain hash, and the
/// Ed25519 signature in per-envelope mode. This bounds what one writer can reach.
/// </summary>
[MemoryDiagnoser]
public class LineBuilderBenchmarks
{
    private AuditSigner _signer = null!;
    private AuditLineBuilder _builder = null!;
    private AuditEnvelope _envelope = null!;

    [GlobalSetup]
    public void Setup()
    {
        _signer = new Ed25519Signer(RandomNumberGenerator.GetBytes(32));
        _builder = new AuditLineBuilder(_signer, AuditChain.Genesis);
        _envelope = new AuditEnvelope
        {
            Timestamp = DateTimeOffset.UtcNow,
            TraceId = "4bf92f3577b34da6a3ce929d0e0e4736",
            SpanId = "00f067aa0ba902b7",
            Tenant = "demo",
            Environment = "prod",
            ClientName = "orders",
            ClientVersion = "1.4.2",
            NodeType = "agent",
            NodeId = "order-agent",
            Tool = "OrderAgent.Run",
            ToolRef = "agent://order-agent/OrderAgent.Run@1.4.2",
            Status = "ok",
            LatencyMs = 12.5,
            Policy = AuditPolicyRecord.Allow,
        };
    }

    [GlobalCleanup]
    public void Cleanup() => _signer.Dispose();

    [Benchmark(Baseline = true, Description = "Ed25519 sign only")]
    public int SignOnly()
    {
        Span<byte> sig = stackalloc byte[64];
        return _signer.Sign("{\"key_id\":\"ed25519:00\",\"prev\":\"00\",\"seq\":1,\"tool\":\"OrderAgent.Run\",\"v\":1}"u8, sig);
    }

    [Benchmark(Description = "line, chained (checkpoint mode)")]
    public int Chained() => _builder.BuildEnvelope(_envelope, sign: false).Length;

    [Benchmark(Description = "line, chained and signed (per-envelope mode)")]
    public int Signed() => _builder.BuildEnvelope(_envelope, sign: true).Length;
}

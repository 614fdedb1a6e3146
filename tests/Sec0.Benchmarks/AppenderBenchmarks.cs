using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using BenchmarkDotNet.Attributes;
using Sec0.Audit;
using Sec0.Signing;

namespace Sec0.Benchmarks;

/// <summary>
/// Appender throughput: envelopes per second through <see cref="AuditAppender.Enqueue"/> until they are
/// written (signed or chained, batched, on disk), per signing mode and flush mode. The baseline is what
/// a team logging JSON lines by hand would write: System.Text.Json to a FileStream, unsigned.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class AppenderBenchmarks
{
    private const int Envelopes = 20_000;
    private BenchmarkTempDirectory _dir = null!;
    private AuditSigner _signer = null!;
    private AuditAppender _appender = null!;
    private FileStream _plain = null!;
    private static readonly JsonSerializerOptions s_json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    [Params(AuditSigningMode.PerEnvelope, AuditSigningMode.Checkpoint)]
    public AuditSigningMode Signing { get; set; }

    [Params(AuditFlushMode.None, AuditFlushMode.Batch)]
    public AuditFlushMode Flush { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dir = new BenchmarkTempDirectory();
        _signer = new Ed25519Signer(RandomNumberGenerator.GetBytes(32));
        _appender = AuditAppender.Open(new AuditAppenderOptions
        {
            Directory = System.IO.Path.Combine(_dir.Path, "logs"),
            Signer = _signer,
            SigningMode = Signing,
            Flush = Flush,
            ChannelCapacity = 8192,
        });
        _plain = new FileStream(System.IO.Path.Combine(_dir.Path, "plain.ndjson"), FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _appender.Dispose();
        _plain.Dispose();
        _signer.Dispose();
        _dir.Dispose();
    }

    internal static AuditEnvelope NewEnvelope(int i) => new()
    {
        TraceId = "4bf92f3577b34da6a3ce929d0e0e4736",
        SpanId = "00f067aa0ba902b7",
        Tenant = "demo",
        Environment = "prod",
        ClientName = "orders",
        ClientVersion = "1.4.2",
        NodeType = "agent",
        NodeId = "order-agent",
        Server = "order-agent",
        Tool = "OrderAgent.Run",
        ToolRef = "agent://order-agent/OrderAgent.Run@1.4.2",
        Status = "ok",
        LatencyMs = 12.5 + i,
        Policy = AuditPolicyRecord.Allow,
        HopHash = "sha256:v1:9f2c4e1a77b0d3c5e8a1f6b2c9d4e7a0b3c6d9e2f5a8b1c4d7e0f3a6b9c2d5e8",
    };

    [Benchmark(Baseline = true, OperationsPerInvoke = Envelopes, Description = "System.Text.Json to a FileStream (unsigned)")]
    public void PlainJsonLines()
    {
        for (var i = 0; i < Envelopes; i++)
        {
            JsonSerializer.Serialize(_plain, NewEnvelope(i), s_json);
            _plain.WriteByte((byte)'\n');
        }

        _plain.Flush();
    }

    [Benchmark(OperationsPerInvoke = Envelopes, Description = "Sec0 AuditAppender (signed, chained)")]
    public void Sec0Appender()
    {
        for (var i = 0; i < Envelopes; i++)
        {
            _appender.Enqueue(NewEnvelope(i));
        }

        _appender.FlushAsync().AsTask().GetAwaiter().GetResult();
    }
}

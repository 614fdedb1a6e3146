using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Sec0.Audit;
using Sec0.Signing;

namespace Sec0.Benchmarks;

/// <summary>
/// <see cref="AuditLogVerifier"/> per line: a Sec0 for .NET log (chained, per-envelope Ed25519) and a log in
/// Sec0's TypeScript SDK format (hop-shaped lines in insertion order, integer-like names in
/// <c>agentVariables</c>, signed over the SDK's canonical form), the whole verification of a 2,000-line folder
/// per operation, reported per line. Most of it is the Ed25519 check.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class VerifierBenchmarks
{
    private const int Lines = 2_000;
    private BenchmarkTempDirectory _dir = null!;
    private AuditSigner _signer = null!;
    private SignatureVerifier _key = null!;
    private string _dotNetLog = null!;
    private string _typeScriptLog = null!;

    [GlobalSetup]
    public void Setup()
    {
        _dir = new BenchmarkTempDirectory();
        _signer = new Ed25519Signer(RandomNumberGenerator.GetBytes(32));
        _key = _signer.CreateVerifier();
        _dotNetLog = System.IO.Path.Combine(_dir.Path, "dotnet");
        using var appender = AuditAppender.Open(new AuditAppenderOptions { Directory = _dotNetLog, Signer = _signer, RetentionDays = 0 });
        for (var i = 0; i < Lines; i++)
        {
            appender.Enqueue(AppenderBenchmarks.NewEnvelope(i));
        }

        appender.FlushAsync().AsTask().GetAwaiter().GetResult();

        _typeScriptLog = System.IO.Path.Combine(_dir.Path, "typescript");
        Directory.CreateDirectory(_typeScriptLog);
        var lines = new StringBuilder();
        for (var i = 0; i < Lines; i++)
        {
            lines.Append(TypeScriptLine(i)).Append('\n');
        }

        File.WriteAllText(System.IO.Path.Combine(_typeScriptLog, "audit-2026-12-06.ndjson"), lines.ToString());
    }

    /// <summary>A hop line as the TypeScript SDK writes it: insertion order on disk, signed over its sorted form.</summary>
    private string TypeScriptLine(int i)
    {
        var line = new JsonObject
        {
            ["ts"] = "2026-12-06T21:03:53.556Z",
            ["trace_id"] = i.ToString("x32", CultureInfo.InvariantCulture),
            ["span_id"] = i.ToString("x16", CultureInfo.InvariantCulture),
            ["tenant"] = "demo",
            ["environment"] = "dev",
            ["client_name"] = "demo-agents",
            ["client_version"] = "1.0.0",
            ["node_type"] = "agent",
            ["agent"] = "order-agent@1.0.0",
            ["server"] = "sec0-agent",
            ["tool"] = "order-agent@1.0.0",
            ["tool_ref"] = "sec0-agent order-agent@1.0.0",
            ["status"] = "ok",
            ["latency_ms"] = 12 + i,
            ["retries"] = 0,
            ["input_sha256"] = null,
            ["output_sha256"] = null,
            ["policy"] = new JsonObject { ["decision"] = "allow", ["retention"] = "90d" },
            ["nodeId"] = "order-agent",
            ["agentRef"] = $"vm:31644:1796591033358:{i}",
            ["agentVariables"] = new JsonObject { ["AGENT"] = new JsonObject { ["status"] = "ok", ["latency_ms"] = 12 + i, ["10"] = "ten", ["2"] = "two" } },
        };
        using var document = JsonDocument.Parse(line.ToJsonString());
        var signed = new ArrayBufferWriter<byte>();
        JsonCanonicalizer.WriteElement(document.RootElement, signed, null, JsonMemberOrder.JavaScript);
        var signature = new byte[_signer.SignatureSize];
        _signer.Sign(signed.WrittenSpan, signature);
        line["sig"] = "ed25519:" + Convert.ToBase64String(signature);
        return line.ToJsonString();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _key.Dispose();
        _signer.Dispose();
        _dir.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Lines, Description = "Sec0 for .NET line (chained)")]
    public bool DotNetLines() => new AuditLogVerifier(_key).Verify(_dotNetLog).IsIntact ? true : throw new InvalidOperationException("the benchmark log does not verify");

    [Benchmark(OperationsPerInvoke = Lines, Description = "TypeScript SDK line (signed, unchained)")]
    public bool TypeScriptLines() => new AuditLogVerifier(_key).Verify(_typeScriptLog) is { IsIntact: true, TypeScriptLines: Lines } ? true : throw new InvalidOperationException("the benchmark log does not verify");
}

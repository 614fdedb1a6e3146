using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Sec0.Audit;
using Sec0.Signing;

namespace Sec0.Benchmarks;

/// <summary>
/// <see cref="AuditLogVerifier"/> per line: a Sec0 for .NET log (chained, per-envelope Ed25519), the whole
/// verification of a 2,000-line folder per operation, reported per line. Most of it is the Ed25519 check.
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
}

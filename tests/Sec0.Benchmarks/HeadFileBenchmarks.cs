using System.Text;
using BenchmarkDotNet.Attributes;
using Sec0.Audit;

namespace Sec0.Benchmarks;

/// <summary>
/// What the head file adds to the writer: one positioned rewrite of <c>.sec0-audit.head</c> per batch written
/// to the log. Baseline: appending one audit line of typical size to a log file, the write every batch
/// already makes.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class HeadFileBenchmarks
{
    private BenchmarkTempDirectory _dir = null!;
    private AuditHeadFile _head = null!;
    private FileStream _log = null!;
    private byte[] _line = null!;
    private readonly byte[] _hash = Encoding.ASCII.GetBytes(new string('a', 64));
    private long _seq = 1_000_000;

    [GlobalSetup]
    public void Setup()
    {
        _dir = new BenchmarkTempDirectory();
        _head = AuditHeadFile.Open(_dir.Path);
        _log = new FileStream(System.IO.Path.Combine(_dir.Path, "audit-2026-01-01.ndjson"), new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, BufferSize = 0 });
        _line = Encoding.UTF8.GetBytes(new string('x', 770) + "\n");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _head.Dispose();
        _log.Dispose();
        _dir.Dispose();
    }

    [Benchmark(Baseline = true, Description = "append one 770 B line to the log (the batch write)")]
    public void AppendLine() => _log.Write(_line);

    [Benchmark(Description = "rewrite the head file (per batch)")]
    public void WriteHead() => _head.Write(++_seq, _hash);
}

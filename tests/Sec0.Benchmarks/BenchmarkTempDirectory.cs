namespace Sec0.Benchmarks;

/// <summary>A scratch folder for a benchmark's audit log and key, deleted afterwards.</summary>
internal sealed class BenchmarkTempDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sec0-bench", Guid.NewGuid().ToString("N"));

    public BenchmarkTempDirectory() => Directory.CreateDirectory(Path);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

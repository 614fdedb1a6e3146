namespace Sec0.Tests;

/// <summary>
/// A fresh folder under the system temp folder, deleted on dispose. Linked into every test project
/// (tests/Shared), so each project uses the same one.
/// </summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory(string purpose = "test")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sec0-tests", $"{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A child process killed on timeout may still hold a file; a leftover temp folder is harmless.
        }
    }
}

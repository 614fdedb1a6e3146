using System.Runtime.Versioning;

namespace Sec0.Instrumentation.Tests.Signing;

/// <summary>A temporary base directory for one test, deleted afterwards.</summary>
[UnsupportedOSPlatform("windows")]
internal sealed class TempKeyDirectory : IDisposable
{
    public TempKeyDirectory()
    {
        Root = Directory.CreateTempSubdirectory("sec0-signing-").FullName;
    }

    public string Root { get; }

    public string PathOf(string relative) => Path.GetFullPath(relative, Root);

    /// <summary>Writes a file (creating directories) with mode 0600 unless told otherwise.</summary>
    public string Write(string relative, string content, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        string path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, mode);
        return path;
    }

    public string Write(string relative, byte[] content)
    {
        string path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

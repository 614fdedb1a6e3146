namespace Sec0.Instrumentation.Tests.Scanning;

/// <summary>Writes a shell script standing in for a scanner CLI (Semgrep, Nuclei) and makes it executable.</summary>
public static class FakeExecutable
{
    public static string Write(string directory, string name, string script)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, "#!/bin/sh\n" + script.Replace("\r\n", "\n", StringComparison.Ordinal));
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("fake scanners are shell scripts");
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary><paramref name="text"/> as one single-quoted word of a POSIX shell script.</summary>
    public static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>True where a POSIX shell can run the fakes.</summary>
    public static bool CanRun => !OperatingSystem.IsWindows() && File.Exists("/bin/sh");
}

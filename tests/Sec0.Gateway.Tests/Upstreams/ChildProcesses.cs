using System.Globalization;

namespace Sec0.Gateway.Tests.Upstreams;

/// <summary>Direct child processes of the test host working in a given folder (Linux /proc); tells one test's children from another's.</summary>
internal static class ChildProcesses
{
    /// <summary>Children working in <paramref name="workingDirectory"/> or a folder below it.</summary>
    public static IReadOnlyList<int> In(string workingDirectory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return [];
        }

        var self = Environment.ProcessId;
        var target = Path.GetFullPath(workingDirectory).TrimEnd('/');
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so parse after the last ')'.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[0] == "Z" || int.Parse(fields[1], CultureInfo.InvariantCulture) != self)
                {
                    continue;
                }

                var cwd = new DirectoryInfo(Path.Combine(directory, "cwd")).LinkTarget;
                if (cwd is not null && (cwd.TrimEnd('/') == target || cwd.StartsWith(target + "/", StringComparison.Ordinal)))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // The process ended while being read.
            }
        }

        return found;
    }

    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}

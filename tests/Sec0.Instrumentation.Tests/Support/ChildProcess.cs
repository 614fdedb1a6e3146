using System.Diagnostics;

namespace Sec0.Instrumentation.Tests.Support;

/// <summary>Starts a .NET program built beside the tests as a real child process.</summary>
public static class ChildProcess
{
    /// <summary>The crash host's dll in its own output folder (set at build time by the test project).</summary>
    public static string CrashHostPath => Path.GetFullPath(typeof(ChildProcess).Assembly
        .GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
        .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "CrashHostPath").Value!.Replace('\\', Path.DirectorySeparatorChar));

    public static Process StartDotnet(string path, params string[] args)
    {
        Assert.True(File.Exists(path), $"{path} was not built");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(path);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
    }
}

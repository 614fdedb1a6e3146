using System.Diagnostics;

namespace Sec0.Instrumentation.Tests.Support;

/// <summary>Starts a .NET program built beside the tests as a real child process.</summary>
public static class ChildProcess
{
    public static Process StartDotnet(string assemblyFileName, params string[] args)
    {
        var path = Path.Combine(AppContext.BaseDirectory, assemblyFileName);
        Assert.True(File.Exists(path), $"{path} was not built beside the tests");
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

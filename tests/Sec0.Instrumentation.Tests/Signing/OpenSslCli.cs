using System.Diagnostics;
using System.Runtime.Versioning;

namespace Sec0.Instrumentation.Tests.Signing;

/// <summary>Runs the real <c>openssl</c> command line tool, the independent reference for these tests.</summary>
[UnsupportedOSPlatform("windows")]
internal static class OpenSslCli
{
    public static (int ExitCode, string StdOut, string StdErr) Run(params string[] arguments)
    {
        ProcessStartInfo start = new("openssl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs openssl and fails the test when it fails.</summary>
    public static string Ok(params string[] arguments)
    {
        (int exitCode, string stdOut, string stdErr) = Run(arguments);
        Assert.True(exitCode == 0, $"openssl {string.Join(' ', arguments)} failed ({exitCode}): {stdErr}");
        return stdOut;
    }

    /// <summary>Generates a key file with openssl into <paramref name="path"/> (mode 0600).</summary>
    public static string GenerateKey(string path, string kind)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        switch (kind)
        {
            case "rand-base64":
                File.WriteAllText(path, Ok("rand", "-base64", "32"));
                break;
            case "ed25519-pkcs8":
                Ok("genpkey", "-algorithm", "ed25519", "-out", path);
                break;
            case "p256-pkcs8":
                Ok("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path);
                break;
            case "p256-sec1":
                Ok("ecparam", "-name", "prime256v1", "-genkey", "-out", path);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }
}

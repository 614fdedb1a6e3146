using System.Diagnostics;
using System.Text;

namespace Sec0.Scanning;

/// <summary>
/// Runs a scanner CLI as a child process: arguments passed as a list (never through a shell), stdout
/// read line by line as it arrives (a line split across two writes is joined by the reader), stderr
/// kept for the error message, and the whole process tree killed at the deadline or on cancellation.
/// </summary>
internal static class ScannerProcess
{
    /// <summary>How much stderr an error message keeps.</summary>
    public const int MaxStderrChars = 4000;

    /// <summary>Runs <paramref name="fileName"/> and hands every stdout line to <paramref name="onLine"/> as it arrives.</summary>
    /// <param name="fileName">The absolute path from <see cref="ScannerExecutable.TryResolve"/>.</param>
    /// <param name="arguments">The arguments, passed as a list.</param>
    /// <param name="deadline">When the process tree is killed.</param>
    /// <param name="onLine">Gets every stdout line.</param>
    /// <param name="cancellationToken">Kills the process tree.</param>
    public static async Task<ScannerProcessResult> RunAsync(string fileName, IReadOnlyList<string> arguments, TimeSpan deadline, Action<string> onLine, CancellationToken cancellationToken)
    {
        // A bare name would go through .NET's lookup, which searches the app's folder and the working directory before PATH.
        if (!Path.IsPathFullyQualified(fileName))
        {
            throw new ArgumentException($"The scanner must be started by its absolute path, not \"{fileName}\".", nameof(fileName));
        }

        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            CreateNoWindow = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        using var process = new Process { StartInfo = info };
        process.Start();
        process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline);
        var stderr = new StringBuilder();
        var stderrTask = ReadStderrAsync(process.StandardError, stderr);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false) is { } line)
            {
                onLine(line);
            }

            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            await stderrTask.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Kill(process);
            cancellationToken.ThrowIfCancellationRequested();
            return new ScannerProcessResult(-1, Truncate(stderr), TimedOut: true);
        }

        return new ScannerProcessResult(process.ExitCode, Truncate(stderr), TimedOut: false);
    }

    private static async Task ReadStderrAsync(StreamReader reader, StringBuilder into)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            lock (into)
            {
                if (into.Length < MaxStderrChars * 2)
                {
                    into.Append(buffer, 0, read);
                }
            }
        }
    }

    private static string Truncate(StringBuilder stderr)
    {
        lock (stderr)
        {
            var text = stderr.ToString().Trim();
            return text.Length <= MaxStderrChars ? text : text[..MaxStderrChars] + "...";
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }
}

using System.Globalization;

namespace Sec0.Audit;

/// <summary>
/// One writer per audit directory: an exclusive lock on <c>.sec0-audit.lock</c> (flock on Unix) held for
/// the appender's lifetime. The operating system releases it when the process dies, so a crash never
/// leaves a stale lock.
/// </summary>
internal sealed class AuditDirectoryLock : IDisposable
{
    private const string PidFileName = ".sec0-audit.pid";
    private readonly FileStream _stream;

    private AuditDirectoryLock(FileStream stream)
    {
        _stream = stream;
    }

    public static AuditDirectoryLock Acquire(string directory)
    {
        var path = Path.Combine(directory, AuditFileNames.LockFileName);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
        {
            var holder = TryReadHolder(Path.Combine(directory, PidFileName));
            throw new Sec0AuditException(
                Sec0AuditException.DirectoryInUseCode,
                $"[sec0] Audit directory \"{directory}\" is already in use by another writer{holder}. Only one process may append to an audit directory: give each process its own controlPlane.appenderDir.",
                ex);
        }

        try
        {
            // Beside the lock, not in it: on Unix any other open of the locked file would itself need a lock.
            // Replaced, never written in place: a link planted under its name would send the pid (and the
            // truncation) to whatever file it points to.
            var pidPath = Path.Combine(directory, PidFileName);
            File.Delete(pidPath);
            using var pid = new FileStream(pidPath, FileMode.CreateNew, FileAccess.Write);
            pid.Write(System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The pid is informational only; holding the lock is what matters.
        }

        return new AuditDirectoryLock(stream);
    }

    private static string TryReadHolder(string path)
    {
        try
        {
            var text = File.ReadAllText(path).Trim();
            return string.IsNullOrEmpty(text) ? "" : $" (pid {text})";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    public void Dispose() => _stream.Dispose();
}

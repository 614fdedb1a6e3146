namespace Sec0.Audit;

/// <summary>
/// An audit record could not be written (disk full, permissions, a second writer on the directory,
/// a closed appender). It reaches the caller of the append; the appender never drops an envelope silently.
/// </summary>
public sealed class Sec0AuditException : Sec0Exception
{
    /// <summary>Writing the audit log failed.</summary>
    public const string WriteFailedCode = "AUDIT_WRITE_FAILED";

    /// <summary>Another process holds the audit directory.</summary>
    public const string DirectoryInUseCode = "AUDIT_DIRECTORY_IN_USE";

    /// <summary>The audit directory holds a file Sec0 did not write (another tool's log of the same name).</summary>
    public const string ForeignFileCode = "AUDIT_FOREIGN_FILE";

    /// <summary>The appender was closed.</summary>
    public const string ClosedCode = "AUDIT_APPENDER_CLOSED";

    /// <summary>Creates an audit error.</summary>
    public Sec0AuditException(string code, string message, Exception? innerException = null)
        : base(code, message, innerException)
    {
    }
}

namespace Sec0.ControlPlane;

/// <summary>A daily audit file a pass could not upload; it stays on disk and the next pass tries again.</summary>
/// <param name="FileName">The file's name, <c>audit-YYYY-MM-DD.ndjson</c>.</param>
/// <param name="Attempts">How many attempts this pass made (0 when none could start, e.g. the file could not be read).</param>
/// <param name="Message">Why the last attempt failed.</param>
/// <param name="IsRetryable">Whether the last failure was transient (a timeout, a dropped connection, 429, 5xx).</param>
public sealed record AuditUploadFailure(string FileName, int Attempts, string Message, bool IsRetryable);

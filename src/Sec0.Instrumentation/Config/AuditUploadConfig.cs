namespace Sec0.Config;

/// <summary>
/// <c>controlPlane.auditUpload</c>: closed daily audit files are uploaded through presigned URLs
/// (<c>POST /api/sec0/upload-url</c>, then <c>PUT</c>) and kept locally until each upload is confirmed.
/// </summary>
public sealed record AuditUploadConfig
{
    /// <summary><c>enabled</c>.</summary>
    public bool Enabled { get; init; }

    /// <summary><c>intervalMs</c>: how often the audit folder is checked for files to upload (default 60 s).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary><c>SEC0_AUDIT_UPLOAD_MAX_ATTEMPTS</c>: attempts per file and pass (default 3, at least 1).</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary><c>SEC0_AUDIT_UPLOAD_RETRY_DELAY_MS</c>: the delay before attempt n+1 is n times this (default 750 ms, at least 100 ms).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(750);

    /// <summary><c>SEC0_AUDIT_TIMEOUT_MS</c>: the timeout of each upload request (default 15 s, at least 1 s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);
}

using Microsoft.Extensions.Logging;

namespace Sec0.Audit;

/// <summary>The audit log's messages: recovery, write failures, retention, keys. Event ids 2000-2099 (docs/logging.md).</summary>
internal static partial class AuditLogMessages
{
    [LoggerMessage(EventId = 2001, EventName = "AuditTornBytesMoved", Level = LogLevel.Warning,
        Message = "[sec0] Audit recovery: moved {Bytes} torn bytes at the end of {File} to {SideFile}.")]
    public static partial void AuditTornBytesMoved(this ILogger logger, long bytes, string file, string sideFile);

    [LoggerMessage(EventId = 2002, EventName = "AuditLinesRejected", Level = LogLevel.Error,
        Message = "[sec0-audit] Audit recovery: {Lines} line(s) at the end of {File} (seq {First}..{Last}) are not a valid continuation of the signed log ({Reason}): forged or altered lines. Moved to {SideFile}; `sec0 verify` reports it.")]
    public static partial void AuditLinesRejected(this ILogger logger, long lines, string file, long? first, long? last, string reason, string sideFile);

    [LoggerMessage(EventId = 2003, EventName = "AuditTruncationDetected", Level = LogLevel.Error,
        Message = "[sec0-audit] The audit log ends at seq {Seq}, but the writer last left it at {Head} ({Reason}): lines were removed from its end. A signed truncation_detected record says so; `sec0 verify` reports it.")]
    public static partial void AuditTruncationDetected(this ILogger logger, long seq, string head, string reason);

    [LoggerMessage(EventId = 2004, EventName = "AuditWriteFailed", Level = LogLevel.Error,
        Message = "[sec0] Writing the audit log in {Directory} failed after seq {Seq}; {Pending} append(s) failed.")]
    public static partial void AuditWriteFailed(this ILogger logger, Exception exception, string directory, long seq, int pending);

    [LoggerMessage(EventId = 2005, EventName = "AuditRetentionSkippedForeignFile", Level = LogLevel.Warning,
        Message = "[sec0-audit] Retention left {File} alone: Sec0 did not write it.")]
    public static partial void AuditRetentionSkippedForeignFile(this ILogger logger, string file);

    [LoggerMessage(EventId = 2006, EventName = "AuditRetentionHeldForUpload", Level = LogLevel.Warning,
        Message = "[sec0] Audit retention keeps {Count} file(s) older than {Days} days until they are uploaded.")]
    public static partial void AuditRetentionHeldForUpload(this ILogger logger, int count, int days);

    [LoggerMessage(EventId = 2007, EventName = "AuditRetentionDeleted", Level = LogLevel.Information,
        Message = "[sec0] Audit retention deleted {Count} file(s) older than {Days} days.")]
    public static partial void AuditRetentionDeleted(this ILogger logger, int count, int days);

    [LoggerMessage(EventId = 2008, EventName = "AuditRetentionGap", Level = LogLevel.Error,
        Message = "[sec0-audit] Audit retention deleted {Count} file(s), but the log it keeps does not continue from them: files or lines in the retention window were deleted by something else. A signed gap record says so; `sec0 verify` reports it.")]
    public static partial void AuditRetentionGap(this ILogger logger, int count);

    [LoggerMessage(EventId = 2009, EventName = "AuditSigningKeyCreated", Level = LogLevel.Information,
        Message = "[sec0] Created a new Ed25519 signing key at {Path}.")]
    public static partial void AuditSigningKeyCreated(this ILogger logger, string path);
}

using Microsoft.Extensions.Logging;

namespace Sec0.ControlPlane;

/// <summary>The audit uploader's messages. Event ids 4100-4199 (docs/logging.md).</summary>
internal static partial class AuditUploadLogMessages
{
    [LoggerMessage(EventId = 4101, EventName = "AuditUploadClientTimeoutShorter", Level = LogLevel.Warning,
        Message = "[sec0] The control-plane client's request timeout ({ClientMs} ms) is shorter than the audit upload timeout ({UploadMs} ms): uploads time out after {ClientMs} ms. Give the uploader a client created with the upload timeout.")]
    public static partial void AuditUploadClientTimeoutShorter(this ILogger logger, double clientMs, double uploadMs);

    [LoggerMessage(EventId = 4102, EventName = "AuditUploadPassFailed", Level = LogLevel.Error,
        Message = "[sec0] An audit upload pass failed: {Message}")]
    public static partial void AuditUploadPassFailed(this ILogger logger, Exception exception, string message);

    [LoggerMessage(EventId = 4103, EventName = "AuditUploadCannotList", Level = LogLevel.Warning,
        Message = "[sec0] Audit upload cannot list {Directory}: {Message}")]
    public static partial void AuditUploadCannotList(this ILogger logger, string directory, string message);

    [LoggerMessage(EventId = 4104, EventName = "AuditUploadCannotRead", Level = LogLevel.Warning,
        Message = "[sec0] Audit upload cannot read {File}: {Message}; it is tried again at the next pass.")]
    public static partial void AuditUploadCannotRead(this ILogger logger, string file, string message);

    [LoggerMessage(EventId = 4105, EventName = "AuditUploadDeferred", Level = LogLevel.Warning,
        Message = "[sec0] Audit upload of {Count} file(s) waits for the next pass: {Message}")]
    public static partial void AuditUploadDeferred(this ILogger logger, int count, string message);

    [LoggerMessage(EventId = 4106, EventName = "AuditFileChangedSinceUpload", Level = LogLevel.Warning,
        Message = "[sec0] Audit file {File} changed since it was uploaded ({OldBytes} bytes, sha256 {OldSha}; now {Bytes} bytes, sha256 {Sha}); uploading it again.")]
    public static partial void AuditFileChangedSinceUpload(this ILogger logger, string file, long oldBytes, string oldSha, long bytes, string sha);

    [LoggerMessage(EventId = 4107, EventName = "AuditFileChangedDuringUpload", Level = LogLevel.Warning,
        Message = "[sec0] Audit file {File} changed while it was uploaded; the upload is not confirmed and the next pass uploads its new content.")]
    public static partial void AuditFileChangedDuringUpload(this ILogger logger, string file);

    [LoggerMessage(EventId = 4108, EventName = "AuditFileUploaded", Level = LogLevel.Information,
        Message = "[sec0] Uploaded audit file {File} ({Bytes} bytes) as {Key}.")]
    public static partial void AuditFileUploaded(this ILogger logger, string file, long bytes, string key);

    [LoggerMessage(EventId = 4109, EventName = "AuditUploadRetrying", Level = LogLevel.Warning,
        Message = "[sec0] Audit upload of {File} failed (attempt {Attempt} of {MaxAttempts}); trying again: {Message}")]
    public static partial void AuditUploadRetrying(this ILogger logger, string file, int attempt, int maxAttempts, string message);

    [LoggerMessage(EventId = 4110, EventName = "AuditUploadGaveUp", Level = LogLevel.Warning,
        Message = "[sec0] Audit upload of {File} failed after {Attempts} attempt(s); it stays on disk and the next pass tries again: {Message}")]
    public static partial void AuditUploadGaveUp(this ILogger logger, string file, int attempts, string message);

    [LoggerMessage(EventId = 4111, EventName = "AuditUploadFileUnreadable", Level = LogLevel.Warning,
        Message = "[sec0] Audit upload of {File} failed: the file cannot be read ({Message}); the next pass tries again.")]
    public static partial void AuditUploadFileUnreadable(this ILogger logger, string file, string message);

    [LoggerMessage(EventId = 4112, EventName = "AuditUploadStateNotSaved", Level = LogLevel.Warning,
        Message = "[sec0] The audit upload state could not be saved in {Directory} ({Message}); files confirmed since the last save are uploaded again after a restart.")]
    public static partial void AuditUploadStateNotSaved(this ILogger logger, string directory, string message);

    [LoggerMessage(EventId = 4113, EventName = "AuditUploadSkippedForeignFile", Level = LogLevel.Warning,
        Message = "[sec0] Audit upload skips {File}: it is a link or was not written by Sec0 for .NET.")]
    public static partial void AuditUploadSkippedForeignFile(this ILogger logger, string file);

    [LoggerMessage(EventId = 4114, EventName = "AuditUploadStateEntriesInvalid", Level = LogLevel.Warning,
        Message = "[sec0] {Count} entry(ies) of the audit upload state {Path} are not valid and are ignored; those files are uploaded again.")]
    public static partial void AuditUploadStateEntriesInvalid(this ILogger logger, int count, string path);

    [LoggerMessage(EventId = 4115, EventName = "AuditUploadStateUnreadable", Level = LogLevel.Warning,
        Message = "[sec0] The audit upload state {Path} cannot be read ({Message}); starting from empty state: closed audit files are uploaded again.")]
    public static partial void AuditUploadStateUnreadable(this ILogger logger, string path, string message);
}

using Microsoft.Extensions.Logging;

namespace Sec0.ControlPlane;

/// <summary>The escalation mirror's messages. Event ids 4200-4299 (docs/logging.md).</summary>
internal static partial class EscalationMirrorLogMessages
{
    [LoggerMessage(EventId = 4201, EventName = "MirrorStateUnreadable", Level = LogLevel.Warning,
        Message = "[sec0] {Path} could not be read; pending escalations are reported to the control plane again.")]
    public static partial void MirrorStateUnreadable(this ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 4202, EventName = "MirrorStateNotSaved", Level = LogLevel.Warning,
        Message = "[sec0] {Path} could not be saved; after a restart pending escalations may be reported twice.")]
    public static partial void MirrorStateNotSaved(this ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 4203, EventName = "MirrorPendingNotListed", Level = LogLevel.Warning,
        Message = "[sec0] The pending escalations could not be listed for the control plane; new ones are still mirrored.")]
    public static partial void MirrorPendingNotListed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4204, EventName = "MirrorCrashed", Level = LogLevel.Error,
        Message = "[sec0] Mirroring escalations to the control plane failed unexpectedly; it is tried again.")]
    public static partial void MirrorCrashed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4205, EventName = "MirrorEscalationRefused", Level = LogLevel.Warning,
        Message = "[sec0] Escalation {Id} was refused by the control plane and stays local: {Reason}")]
    public static partial void MirrorEscalationRefused(this ILogger logger, string id, string reason);

    [LoggerMessage(EventId = 4206, EventName = "MirrorAnswerMismatch", Level = LogLevel.Warning,
        Message = "[sec0] The control plane answered for escalation {Answered} when asked for {RemoteId} ({Id}); the answer is ignored.")]
    public static partial void MirrorAnswerMismatch(this ILogger logger, string answered, string remoteId, string id);

    [LoggerMessage(EventId = 4207, EventName = "MirrorEscalationResolved", Level = LogLevel.Information,
        Message = "[sec0] Escalation {Id} was {Status} on the control plane ({RemoteId}); here it is now {Local}.")]
    public static partial void MirrorEscalationResolved(this ILogger logger, string id, string status, string remoteId, string local);

    [LoggerMessage(EventId = 4208, EventName = "MirrorUnavailable", Level = LogLevel.Warning,
        Message = "[sec0] Escalations cannot be mirrored to the control plane now; they stay pending locally, local approval still works, and reports and status reads are retried: {Reason}")]
    public static partial void MirrorUnavailable(this ILogger logger, string reason);
}

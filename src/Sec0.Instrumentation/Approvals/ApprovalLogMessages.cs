using Microsoft.Extensions.Logging;

namespace Sec0.Approvals;

/// <summary>The approval service's log messages. Event ids 3000-3099 (docs/logging.md).</summary>
internal static partial class ApprovalLogMessages
{
    [LoggerMessage(EventId = 3001, EventName = "EscalationNotCreated", Level = LogLevel.Error,
        Message = "[sec0] The escalation of {ToolRef} could not be created.")]
    public static partial void EscalationNotCreated(this ILogger logger, Exception exception, string toolRef);

    [LoggerMessage(EventId = 3002, EventName = "ApprovalsSweepFailed", Level = LogLevel.Warning,
        Message = "[sec0] The approvals sweep failed; it runs again in {Interval}.")]
    public static partial void ApprovalsSweepFailed(this ILogger logger, Exception exception, TimeSpan interval);
}

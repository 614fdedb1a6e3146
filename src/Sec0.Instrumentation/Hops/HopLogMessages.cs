using Microsoft.Extensions.Logging;

namespace Sec0.Hops;

/// <summary>The hop pipeline's log messages. Event ids 1000-1099 (the ranges are listed in docs/logging.md).</summary>
internal static partial class HopLogMessages
{
    [LoggerMessage(EventId = 1001, EventName = "HopEscalationFailed", Level = LogLevel.Error,
        Message = "[sec0] The escalation of hop {Hop} could not be handled; the call is refused.")]
    public static partial void HopEscalationFailed(this ILogger logger, Exception exception, string hop);

    [LoggerMessage(EventId = 1002, EventName = "HopEnvelopeNotWritten", Level = LogLevel.Error,
        Message = "[sec0] The audit envelope of hop {Hop} could not be written.")]
    public static partial void HopEnvelopeNotWritten(this ILogger logger, Exception exception, string hop);
}

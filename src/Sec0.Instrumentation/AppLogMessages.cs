using Microsoft.Extensions.Logging;

namespace Sec0;

/// <summary><see cref="Sec0App"/>'s start-up messages. Event ids 6000-6099 (docs/logging.md).</summary>
internal static partial class AppLogMessages
{
    [LoggerMessage(EventId = 6001, EventName = "UnknownConfigKeys", Level = LogLevel.Warning,
        Message = "[sec0] {ConfigFile} has keys this SDK does not read; they are ignored: {UnknownKeys}")]
    public static partial void UnknownConfigKeys(this ILogger logger, string configFile, string unknownKeys);

    [LoggerMessage(EventId = 6002, EventName = "EscalationMirrorIdle", Level = LogLevel.Warning,
        Message = "[sec0] controlPlane.escalations: mirror has nothing to mirror: the policy does not set security.side_effects.approve_high_risk, so hop calls do not escalate.")]
    public static partial void EscalationMirrorIdle(this ILogger logger);
}

using System.Net;
using Microsoft.Extensions.Logging;

namespace Sec0.Gateway;

/// <summary>
/// The gateway's log messages. Event ids 9000-9099 for the gateway itself, 9100-9199 for the reviewer page
/// (docs/logging.md).
/// </summary>
internal static partial class GatewayLogMessages
{
    [LoggerMessage(EventId = 9001, EventName = "GatewayPostgresState", Level = LogLevel.Information,
        Message = "[sec0-gateway] Shared state in PostgreSQL, schema {Schema} (version {Version}).")]
    public static partial void GatewayPostgresState(this ILogger logger, string schema, int version);

    [LoggerMessage(EventId = 9002, EventName = "GatewayEnvelopeNotWritten", Level = LogLevel.Error,
        Message = "[sec0-gateway] The audit envelope of {Op} {ToolRef} (HTTP {Status}) could not be written.")]
    public static partial void GatewayEnvelopeNotWritten(this ILogger logger, Exception exception, string? op, string toolRef, int? status);

    [LoggerMessage(EventId = 9003, EventName = "GatewayRequestFailed", Level = LogLevel.Error,
        Message = "[sec0-gateway] Request {Path} failed unexpectedly.")]
    public static partial void GatewayRequestFailed(this ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 9004, EventName = "GatewayStateStoreFailed", Level = LogLevel.Error,
        Message = "[sec0-gateway] The {What} store failed ({Error}); {Action}.")]
    public static partial void GatewayStateStoreFailed(this ILogger logger, Exception exception, string what, string error, string action);

    [LoggerMessage(EventId = 9005, EventName = "GatewayIdempotencyLeaseExpired", Level = LogLevel.Warning,
        Message = "[sec0-gateway] The idempotency lease of {Key} expired before the call finished; its answer is not kept for replays.")]
    public static partial void GatewayIdempotencyLeaseExpired(this ILogger logger, string? key);

    [LoggerMessage(EventId = 9006, EventName = "GatewayIdempotencyNotUpdated", Level = LogLevel.Error,
        Message = "[sec0-gateway] The idempotency record of {Key} could not be updated.")]
    public static partial void GatewayIdempotencyNotUpdated(this ILogger logger, Exception exception, string? key);

    [LoggerMessage(EventId = 9007, EventName = "GatewayUnauthenticated", Level = LogLevel.Information,
        Message = "[sec0-gateway] Unauthenticated request to {ToolRef}: {Why}")]
    public static partial void GatewayUnauthenticated(this ILogger logger, string toolRef, string why);

    [LoggerMessage(EventId = 9008, EventName = "GatewaySchemaNewer", Level = LogLevel.Warning,
        Message = "[sec0-gateway] The gateway schema {Schema} is at version {Version}, newer than this gateway's {Known}; leaving it as it is.")]
    public static partial void GatewaySchemaNewer(this ILogger logger, string schema, int version, int known);

    [LoggerMessage(EventId = 9009, EventName = "GatewaySchemaMigrated", Level = LogLevel.Information,
        Message = "[sec0-gateway] Applied gateway schema migrations {Versions} in {Schema}.")]
    public static partial void GatewaySchemaMigrated(this ILogger logger, string versions, string schema);

    [LoggerMessage(EventId = 9010, EventName = "GatewayCleanupFailed", Level = LogLevel.Warning,
        Message = "[sec0-gateway] The {What} cleanup failed; it runs again after the next {Every} operations.")]
    public static partial void GatewayCleanupFailed(this ILogger logger, Exception exception, string what, int every);

    [LoggerMessage(EventId = 9011, EventName = "GatewayListenerReconnected", Level = LogLevel.Information,
        Message = "[sec0-gateway] The idempotency listener reconnected.")]
    public static partial void GatewayListenerReconnected(this ILogger logger);

    [LoggerMessage(EventId = 9012, EventName = "GatewayListenerLost", Level = LogLevel.Warning,
        Message = "[sec0-gateway] The idempotency listener lost its connection; reconnecting in {Delay}.")]
    public static partial void GatewayListenerLost(this ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(EventId = 9013, EventName = "GatewayEscalationMirrorIdle", Level = LogLevel.Warning,
        Message = "[sec0-gateway] controlPlane.escalations: mirror has nothing to mirror: the policy does not set security.side_effects.approve_high_risk.")]
    public static partial void GatewayEscalationMirrorIdle(this ILogger logger);

    [LoggerMessage(EventId = 9014, EventName = "GatewayEscalationMirrorUnsupported", Level = LogLevel.Warning,
        Message = "[sec0-gateway] controlPlane.escalations: mirror is not supported with gateway.state in PostgreSQL yet (every replica would report each escalation); escalations stay local.")]
    public static partial void GatewayEscalationMirrorUnsupported(this ILogger logger);

    [LoggerMessage(EventId = 9015, EventName = "GatewayNoAuthentication", Level = LogLevel.Warning,
        Message = "[sec0-gateway] No authentication is configured: every caller is trusted as tenant {Tenant}. Set gateway.authn for anything but local development.")]
    public static partial void GatewayNoAuthentication(this ILogger logger, string tenant);

    [LoggerMessage(EventId = 9016, EventName = "GatewayServing", Level = LogLevel.Information,
        Message = "[sec0-gateway] {Gateway} serves {Count} target(s): {Targets}.")]
    public static partial void GatewayServing(this ILogger logger, string gateway, int count, string targets);

    [LoggerMessage(EventId = 9101, EventName = "ReviewerSignInRefused", Level = LogLevel.Warning,
        Message = "[sec0] Reviewer page: a sign-in with an invalid or expired reviewer token was refused (from {Remote}).")]
    public static partial void ReviewerSignInRefused(this ILogger logger, IPAddress? remote);

    [LoggerMessage(EventId = 9102, EventName = "ReviewerSignedIn", Level = LogLevel.Information,
        Message = "[sec0] Reviewer page: {User} signed in.")]
    public static partial void ReviewerSignedIn(this ILogger logger, string user);
}

using Microsoft.Extensions.Logging;

namespace Sec0.ControlPlane;

/// <summary>
/// The control-plane connection's messages: the API key check, the policy sync and the remote decision engine.
/// Event ids 4000-4099 (docs/logging.md).
/// </summary>
internal static partial class ControlPlaneLogMessages
{
    [LoggerMessage(EventId = 4001, EventName = "ApiKeyNotValidated", Level = LogLevel.Warning,
        Message = "[sec0] The API key could not be validated now; going on with the config's tenant and environment: {Reason}")]
    public static partial void ApiKeyNotValidated(this ILogger logger, string reason);

    [LoggerMessage(EventId = 4002, EventName = "ApiKeyValid", Level = LogLevel.Information,
        Message = "[sec0] Control plane {Url}: API key valid for tenant {Tenant}, environment {Environment}, client {Client}@{Version}.")]
    public static partial void ApiKeyValid(this ILogger logger, string url, string tenant, string environment, string client, string version);

    [LoggerMessage(EventId = 4010, EventName = "PolicyFromLastGoodCopy", Level = LogLevel.Warning,
        Message = "[sec0] The control-plane policy could not be loaded ({Reason}); using the last good one from {FetchedAt:O} (policy_hash {Hash}) until the control plane answers.")]
    public static partial void PolicyFromLastGoodCopy(this ILogger logger, string reason, DateTimeOffset fetchedAt, string hash);

    [LoggerMessage(EventId = 4011, EventName = "PolicyNotApplied", Level = LogLevel.Error,
        Message = "[sec0] The control-plane policy {Hash} could not be applied; the previous one stays in force.")]
    public static partial void PolicyNotApplied(this ILogger logger, Exception exception, string hash);

    [LoggerMessage(EventId = 4012, EventName = "PolicyChanged", Level = LogLevel.Information,
        Message = "[sec0] The control-plane policy changed: policy_hash {Old} -> {New}.")]
    public static partial void PolicyChanged(this ILogger logger, string old, string @new);

    [LoggerMessage(EventId = 4013, EventName = "PolicyRefreshCrashed", Level = LogLevel.Error,
        Message = "[sec0] The control-plane policy refresh failed unexpectedly; it is tried again in {Ttl}.")]
    public static partial void PolicyRefreshCrashed(this ILogger logger, Exception exception, TimeSpan ttl);

    [LoggerMessage(EventId = 4014, EventName = "PolicyEmpty", Level = LogLevel.Warning,
        Message = "[sec0] The control plane's policy is empty: no rule is enforced until it sends one.")]
    public static partial void PolicyEmpty(this ILogger logger);

    [LoggerMessage(EventId = 4015, EventName = "PolicyLastGoodCopyNotSaved", Level = LogLevel.Warning,
        Message = "[sec0] The control-plane policy could not be saved as the last good copy at {Path}.")]
    public static partial void PolicyLastGoodCopyNotSaved(this ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 4016, EventName = "PolicyRefreshFailed", Level = LogLevel.Warning,
        Message = "[sec0] The control-plane policy refresh failed; {Consequence}: {Reason}")]
    public static partial void PolicyRefreshFailed(this ILogger logger, string consequence, string reason);

    [LoggerMessage(EventId = 4017, EventName = "PolicySyncDebug", Level = LogLevel.Information,
        Message = "[sec0][policySync] {Message}")]
    public static partial void PolicySyncDebug(this ILogger logger, string message);

    // No "[sec0] " prefix in the template: the failure's message starts with it.
    [LoggerMessage(EventId = 4020, EventName = "RemoteDecisionFailed", Level = LogLevel.Warning,
        Message = "{Failure} After {Attempts} attempt(s) within {BudgetMs} ms, failureMode {FailureMode}: {Fallback}. {Unlogged} more failure(s) since the last warning; the next is logged {IntervalSeconds} s after this one at the earliest.")]
    public static partial void RemoteDecisionFailed(this ILogger logger, string failure, int attempts, long budgetMs, string failureMode, string fallback, int unlogged, long intervalSeconds);

    [LoggerMessage(EventId = 4021, EventName = "RemoteDecisionRecovered", Level = LogLevel.Information,
        Message = "[sec0] The remote decision engine at {Endpoint} answers again ({Unlogged} failure(s) not logged since the last warning).")]
    public static partial void RemoteDecisionRecovered(this ILogger logger, string endpoint, int unlogged);
}

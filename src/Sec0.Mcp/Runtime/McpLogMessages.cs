using Microsoft.Extensions.Logging;

namespace Sec0.Mcp;

/// <summary>The MCP middleware's log messages. Event ids 8000-8099 (docs/logging.md).</summary>
internal static partial class McpLogMessages
{
    [LoggerMessage(EventId = 8001, EventName = "McpToolCollectionReplaced", Level = LogLevel.Error,
        Message = "[sec0] The MCP tool collection is not Sec0's frozen registry; refusing tools/call.")]
    public static partial void McpToolCollectionReplaced(this ILogger logger);

    [LoggerMessage(EventId = 8002, EventName = "McpCallWithoutDecision", Level = LogLevel.Error,
        Message = "[sec0] tools/call {Tool} reached the handler without Sec0's decision; refused.")]
    public static partial void McpCallWithoutDecision(this ILogger logger, string? tool);

    [LoggerMessage(EventId = 8003, EventName = "McpHandlerSwap", Level = LogLevel.Error,
        Message = "[sec0] Handler swap on tools/call {Tool}: the handler about to run is not the tool pinned when the registry was frozen. Blocked (handler_swap).")]
    public static partial void McpHandlerSwap(this ILogger logger, string? tool);

    [LoggerMessage(EventId = 8004, EventName = "McpCallDenied", Level = LogLevel.Warning,
        Message = "[sec0] tools/call {Tool} denied: {Reason}.")]
    public static partial void McpCallDenied(this ILogger logger, string tool, string reason);

    [LoggerMessage(EventId = 8005, EventName = "McpCallDeniedWithDetail", Level = LogLevel.Warning,
        Message = "[sec0] tools/call {Tool} denied: {Reason} ({Detail}).")]
    public static partial void McpCallDeniedWithDetail(this ILogger logger, string tool, string reason, string detail);

    [LoggerMessage(EventId = 8006, EventName = "McpResultNotCanonical", Level = LogLevel.Warning,
        Message = "[sec0] The result of tool {Tool} is not canonical JSON ({Reason}); output_sha256 is over the SDK's serialization of it.")]
    public static partial void McpResultNotCanonical(this ILogger logger, string tool, string reason);

    [LoggerMessage(EventId = 8007, EventName = "McpVerdictUnreadable", Level = LogLevel.Error,
        Message = "[sec0] The {Kind} verdict for tool {Tool} could not be read.")]
    public static partial void McpVerdictUnreadable(this ILogger logger, Exception exception, string kind, string tool);

    [LoggerMessage(EventId = 8008, EventName = "McpEnvelopeNotWritten", Level = LogLevel.Error,
        Message = "[sec0] The audit envelope of {Op} on {Tool} could not be written.")]
    public static partial void McpEnvelopeNotWritten(this ILogger logger, Exception exception, string? op, string? tool);

    [LoggerMessage(EventId = 8009, EventName = "McpRegistryMutationBlocked", Level = LogLevel.Warning,
        Message = "[sec0] Blocked '{Operation}' of MCP tool {Tool} on {Server}: the registry is frozen (registry_mutation).")]
    public static partial void McpRegistryMutationBlocked(this ILogger logger, string operation, string tool, string server);

    [LoggerMessage(EventId = 8010, EventName = "McpHopManifestUnreadable", Level = LogLevel.Warning,
        Message = "[sec0] The hop manifest of {Assembly} could not be read; its tools have no body hash.")]
    public static partial void McpHopManifestUnreadable(this ILogger logger, Exception exception, string? assembly);

    [LoggerMessage(EventId = 8011, EventName = "McpToolDefinitionChanged", Level = LogLevel.Warning,
        Message = "[sec0] MCP tool {Tool} on {Server} advertises a definition that differs from the one pinned at freeze ({Pinned} → {Current}): tool_definition_changed.")]
    public static partial void McpToolDefinitionChanged(this ILogger logger, string tool, string server, string pinned, string current);
}

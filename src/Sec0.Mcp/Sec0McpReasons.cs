using Sec0.Policy;

namespace Sec0.Mcp;

/// <summary>
/// Reasons Sec0.Mcp records in addition to the policy vocabulary (<see cref="PolicyReasons"/>). They are reported
/// (envelope <c>denial_reason</c>/<c>decision_reason</c>, log) but are not <c>deny_on</c> names.
/// </summary>
public static class Sec0McpReasons
{
    /// <summary>An advertised tool definition (name, description, schemas, annotations) differs from the one pinned at freeze.</summary>
    public const string ToolDefinitionChanged = "tool_definition_changed";
}

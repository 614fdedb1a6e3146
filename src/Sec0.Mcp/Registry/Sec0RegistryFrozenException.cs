namespace Sec0.Mcp;

/// <summary>
/// Thrown when a tool is added, removed or replaced after the tool registry was frozen (when the MCP server
/// was built). The attempt is audited with <c>registry_frozen: true</c> and reason <c>registry_mutation</c>.
/// </summary>
public sealed class Sec0RegistryFrozenException : Sec0Exception
{
    /// <summary>The <see cref="Sec0Exception.Code"/> of this exception.</summary>
    public const string ErrorCode = "REGISTRY_FROZEN";

    /// <summary>Creates the exception for an attempted <paramref name="operation"/> on <paramref name="toolName"/>.</summary>
    /// <param name="operation"><c>add</c>, <c>remove</c> or <c>clear</c>.</param>
    /// <param name="toolName">The tool concerned; null for <c>clear</c>.</param>
    public Sec0RegistryFrozenException(string operation, string? toolName)
        : base(ErrorCode, toolName is null
            ? $"[sec0] The MCP tool registry is frozen: '{operation}' after the server was built is not allowed (registry_mutation)."
            : $"[sec0] The MCP tool registry is frozen: '{operation}' of tool \"{toolName}\" after the server was built is not allowed (registry_mutation).")
    {
        Operation = operation;
        ToolName = toolName;
    }

    /// <summary><c>add</c>, <c>remove</c> or <c>clear</c>.</summary>
    public string Operation { get; }

    /// <summary>The tool concerned; null for <c>clear</c>.</summary>
    public string? ToolName { get; }
}

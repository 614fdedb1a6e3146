namespace Sec0.Mcp;

/// <summary>The tool a scan verdict is asked for.</summary>
/// <param name="Server">The MCP server name.</param>
/// <param name="Tool">The tool name.</param>
/// <param name="BodyHash">The compile-time body hash (<c>sha256:v1:&lt;hex&gt;</c>) from the hop manifest; null when the tool has none.</param>
public sealed record McpToolScanSubject(string Server, string Tool, string? BodyHash);

namespace Sec0.Mcp;

/// <summary>
/// Sec0's <c>otel</c> options. Sec0.Mcp starts an <see cref="System.Diagnostics.Activity"/> per tool call on the
/// <c>Sec0</c> ActivitySource and tags it with these values; exporting is the application's OpenTelemetry setup.
/// </summary>
public sealed class Sec0McpOtelOptions
{
    /// <summary>The collector endpoint the application exports to; recorded as a span tag only, never dialled by Sec0.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>The service name (<c>service.name</c>); defaults to the MCP server name.</summary>
    public string? ServiceName { get; set; }

    /// <summary>The deployment environment (<c>deployment.environment</c>, envelope <c>environment</c>): dev, staging or prod.</summary>
    public string? Environment { get; set; }
}

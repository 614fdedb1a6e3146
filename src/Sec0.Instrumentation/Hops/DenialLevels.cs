namespace Sec0;

/// <summary>Values of <c>denial_level</c>: where a call was stopped.</summary>
public static class DenialLevels
{
    /// <summary>A <c>[Sec0Hop]</c> method, stopped by its interceptor.</summary>
    public const string Decorator = "decorator";

    /// <summary>An MCP tool call, stopped by the Sec0 middleware.</summary>
    public const string Middleware = "middleware";

    /// <summary>A call through the Sec0 gateway.</summary>
    public const string Gateway = "gateway";
}

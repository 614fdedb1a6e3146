namespace Sec0.Gateway.Upstreams;

/// <summary>Where a server behind the gateway is, and how to talk to it (<c>gateway.targets.&lt;server&gt;</c>).</summary>
public sealed record GatewayTarget
{
    /// <summary>How to reach it.</summary>
    public required GatewayTargetKind Kind { get; init; }

    /// <summary>For <see cref="GatewayTargetKind.McpHttp"/>: the MCP endpoint; for <see cref="GatewayTargetKind.LegacyHttp"/>: the base URL.</summary>
    public Uri? Url { get; init; }

    /// <summary>For <see cref="GatewayTargetKind.McpStdio"/>: the program to start.</summary>
    public string? Command { get; init; }

    /// <summary>For <see cref="GatewayTargetKind.McpStdio"/>: its arguments.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>For <see cref="GatewayTargetKind.McpStdio"/>: its working directory (default: the gateway's).</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>For <see cref="GatewayTargetKind.McpStdio"/>: environment variables added to the gateway's.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>For <see cref="GatewayTargetKind.McpStdio"/>: how many processes serve calls in parallel (default 1).</summary>
    public int PoolSize { get; init; } = 1;
}

/// <summary>The kinds of target server.</summary>
public enum GatewayTargetKind
{
    /// <summary>An MCP server over Streamable HTTP, through the official SDK client.</summary>
    McpHttp,

    /// <summary>An MCP server started as a child process, over stdio, through the official SDK client.</summary>
    McpStdio,

    /// <summary>A Sec0 TS-style tool server: <c>POST {url}/invoke/{tool@version}</c> with the arguments as the JSON body.</summary>
    LegacyHttp,
}

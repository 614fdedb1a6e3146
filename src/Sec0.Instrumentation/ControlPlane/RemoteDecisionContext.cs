namespace Sec0.ControlPlane;

/// <summary>
/// What a remote decision says about the call besides its violations: the request's <c>context</c>
/// (<c>POST /v1/runtime/evaluate</c>). Made only for calls the remote engine is consulted on.
/// </summary>
public sealed record RemoteDecisionContext
{
    /// <summary><c>executionLayer</c>: <c>decorator</c> (hops), <c>middleware</c> (MCP) or <c>gateway</c>; see <see cref="DenialLevels"/>.</summary>
    public required string ExecutionLayer { get; init; }

    /// <summary><c>server</c>: the tool's server, or the hop's name (agent, orchestrator, server, …).</summary>
    public required string Server { get; init; }

    /// <summary><c>tool</c>: the tool, or the hop key.</summary>
    public required string Tool { get; init; }

    /// <summary><c>tenant</c>, when known.</summary>
    public string? Tenant { get; init; }

    /// <summary>The version the call names, when it names one (sent in <c>input.attributes.version</c>).</summary>
    public string? Version { get; init; }

    /// <summary><c>nodeId</c>, when known.</summary>
    public string? NodeId { get; init; }

    /// <summary><c>runId</c>: the run the call belongs to (a hop's run id, 32 hex), when known.</summary>
    public string? RunId { get; init; }

    /// <summary>The hop key, for hops (sent in <c>input.attributes.hop</c>).</summary>
    public string? HopKey { get; init; }
}

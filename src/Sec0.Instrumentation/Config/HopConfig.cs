namespace Sec0.Config;

/// <summary>
/// One <c>app.hops</c> entry after validation and fallbacks: the fields its <see cref="Type"/> requires
/// are non-empty (see <see cref="HopRequirements"/>); the others are null when absent.
/// </summary>
public sealed record HopConfig
{
    /// <summary>The hop key: <c>TypeName.MethodName</c> or the key given in <c>[Sec0Hop("...")]</c>.</summary>
    public required string Key { get; init; }

    /// <summary><c>type</c>: the kind of node; never <see cref="HopType.Unspecified"/> in a loaded config.</summary>
    public required HopType Type { get; init; }

    /// <summary><c>nodeId</c>: required for every type.</summary>
    public required string NodeId { get; init; }

    /// <summary><c>agentName</c>: required for agent hops.</summary>
    public string? AgentName { get; init; }

    /// <summary><c>agentVersion</c>: required for agent hops.</summary>
    public string? AgentVersion { get; init; }

    /// <summary><c>orchestratorName</c>: required for orchestrator hops, falling back to <c>app.client.name</c>.</summary>
    public string? OrchestratorName { get; init; }

    /// <summary><c>orchestratorVersion</c>: required for orchestrator hops, falling back to <c>app.client.version</c>.</summary>
    public string? OrchestratorVersion { get; init; }

    /// <summary><c>gateway</c>: required for gateway hops.</summary>
    public string? Gateway { get; init; }

    /// <summary><c>gatewayBaseUrl</c>: required for gateway hops, falling back to <c>orchestrator.gatewayBaseUrl</c>.</summary>
    public string? GatewayBaseUrl { get; init; }

    /// <summary><c>tenant</c>: for gateway hops, falling back to <c>app.tenant</c>.</summary>
    public string? Tenant { get; init; }

    /// <summary><c>authHeader</c>: for gateway hops, defaulting to <c>Bearer &lt;auth.svcToken&gt;</c> when a token exists.</summary>
    public string? AuthHeader { get; init; }

    /// <summary><c>server</c>: required for server and tool hops.</summary>
    public string? Server { get; init; }

    /// <summary><c>tool</c>: required for tool hops.</summary>
    public string? Tool { get; init; }

    /// <summary><c>middleware</c>: required for middleware hops.</summary>
    public string? Middleware { get; init; }

    /// <summary><c>op</c>: required for middleware hops.</summary>
    public string? Op { get; init; }

    /// <summary><c>skill</c>: required for skill hops.</summary>
    public string? Skill { get; init; }

    /// <summary>The <c>enforcement</c> block, or <see cref="HopEnforcementConfig.Default"/> when absent.</summary>
    public HopEnforcementConfig Enforcement { get; init; } = HopEnforcementConfig.Default;

    /// <summary>1-based line of the entry's key in the YAML file (0 when built in code).</summary>
    public int Line { get; init; }

    /// <summary>1-based column of the entry's key in the YAML file (0 when built in code).</summary>
    public int Column { get; init; }
}

namespace Sec0.Config;

/// <summary>The optional top-level <c>orchestrator</c> block.</summary>
public sealed record OrchestratorConfig
{
    /// <summary><c>orchestrator.gatewayBaseUrl</c>: the gateway URL used by gateway hops that do not set their own.</summary>
    public string? GatewayBaseUrl { get; init; }
}

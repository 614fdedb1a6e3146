namespace Sec0.Config;

/// <summary><c>app.client</c>: the name and version of the application that uses Sec0.</summary>
public sealed record ClientConfig
{
    /// <summary><c>app.client.name</c>, or null when absent. Orchestrator hops fall back to it for <c>orchestratorName</c>.</summary>
    public string? Name { get; init; }

    /// <summary><c>app.client.version</c>, or null when absent. Orchestrator hops fall back to it for <c>orchestratorVersion</c>.</summary>
    public string? Version { get; init; }
}

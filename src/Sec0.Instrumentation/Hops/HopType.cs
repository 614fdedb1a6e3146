namespace Sec0;

// Also compiled into the generator (linked): internal there, so a project that references both the
// generator assembly and the runtime (the benchmarks) sees one Sec0.HopType.
/// <summary>The kind of node a hop is; each kind has its own required fields in <c>app.hops</c>.</summary>
#if SEC0_GENERATOR
internal
#else
public
#endif
enum HopType
{
    /// <summary>No type stated in the attribute: the config's <c>type</c> is taken as it is.</summary>
    Unspecified = 0,
    /// <summary>An agent step (<c>agent</c>): nodeId, agentName, agentVersion.</summary>
    Agent,
    /// <summary>An orchestrator decision (<c>orchestrator</c>): nodeId, orchestratorName, orchestratorVersion.</summary>
    Orchestrator,
    /// <summary>A call through the gateway (<c>gateway</c>): gateway, nodeId, gatewayBaseUrl.</summary>
    Gateway,
    /// <summary>An MCP server (<c>server</c>): server, nodeId.</summary>
    Server,
    /// <summary>A middleware step (<c>middleware</c>): middleware, op, nodeId.</summary>
    Middleware,
    /// <summary>A tool (<c>tool</c>): server, tool, nodeId.</summary>
    Tool,
    /// <summary>A skill (<c>skill</c>): skill, nodeId.</summary>
    Skill,
}

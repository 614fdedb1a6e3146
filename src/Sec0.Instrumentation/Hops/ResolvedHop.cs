using Sec0.Audit;
using Sec0.Config;

namespace Sec0.Hops;

/// <summary>
/// What a hop's config entry means at run time, resolved once per descriptor and app: the identity
/// fields every envelope of the hop carries and its enforcement. A missing or mistyped entry resolves
/// to its error, thrown on every call.
/// </summary>
internal sealed class ResolvedHop
{
    private ResolvedHop(HopPipeline owner, HopConfig? config, Sec0ConfigException? error)
    {
        Owner = owner;
        Config = config;
        Error = error;
    }

    public HopPipeline Owner { get; }

    public HopConfig? Config { get; }

    public Sec0ConfigException? Error { get; }

    public string NodeType { get; private init; } = "";

    public string? Server { get; private init; }

    public string? ToolRef { get; private init; }

    public bool DenyOnMissingAudit { get; private init; }

    public bool Observe { get; private init; }

    public static ResolvedHop Create(HopPipeline owner, Sec0Config config, HopDescriptor descriptor)
    {
        HopConfig hop;
        try
        {
            hop = config.GetHop(descriptor.Key, descriptor.ExpectedType);
        }
        catch (Sec0ConfigException ex)
        {
            return new ResolvedHop(owner, null, ex);
        }

        var nodeType = HopRequirements.GetYamlName(hop.Type);
        var (name, version) = hop.Type switch
        {
            HopType.Agent => (hop.AgentName, hop.AgentVersion),
            HopType.Orchestrator => (hop.OrchestratorName, hop.OrchestratorVersion),
            HopType.Gateway => (hop.Gateway, null),
            HopType.Server or HopType.Tool => (hop.Server, null),
            HopType.Middleware => (hop.Middleware, null),
            HopType.Skill => (hop.Skill, null),
            _ => (null, null),
        };

        var tool = hop.Type == HopType.Tool ? hop.Tool : descriptor.Key;
        var enforcement = hop.Enforcement;
        return new ResolvedHop(owner, hop, null)
        {
            NodeType = nodeType,
            Server = name,
            ToolRef = $"{nodeType}://{name ?? hop.NodeId}/{tool}" + (version is null ? "" : "@" + version),
            Observe = enforcement.Mode == EnforcementMode.Observe,
            DenyOnMissingAudit = enforcement.DenyOn.Contains(AuditReasons.MissingAuditSignature, StringComparer.Ordinal),
        };
    }
}

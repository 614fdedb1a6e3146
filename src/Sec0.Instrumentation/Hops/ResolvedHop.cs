using Sec0.Audit;
using Sec0.Config;
using Sec0.Policy;
using Sec0.Scanning;

namespace Sec0.Hops;

/// <summary>
/// What a hop's config entry means at run time, resolved once per descriptor and app: the identity
/// fields every envelope of the hop carries, the decision engine with the hop's enforcement block
/// applied, and its circuit breaker. A missing or mistyped entry resolves to its error, thrown on every call.
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

    public string? Tool { get; private init; }

    public string? Version { get; private init; }

    /// <summary>
    /// The hop's own ref, <c>&lt;type&gt;://&lt;name&gt;/&lt;hop key&gt;[@&lt;version&gt;]</c>: unique per hop, unlike the
    /// TypeScript-shaped <c>tool_ref</c> its envelopes carry (two hops of one agent share that one).
    /// </summary>
    public string? ToolRef { get; private init; }

    /// <summary>The envelope's <c>server</c>, <c>tool</c> and <c>tool_ref</c> in Sec0's TypeScript shape (docs/audit-format.md).</summary>
    public (string? Server, string Tool, string ToolRef) Audit { get; private init; }

    public DecisionEngine Engine { get; private init; } = null!;

    /// <summary>The policy-wide engine <see cref="Engine"/> was made from: a different one in the pipeline means the policy changed.</summary>
    public DecisionEngine? PolicyEngine { get; private init; }

    /// <summary>The <c>policy_hash</c> of the policy <see cref="PolicyEngine"/> was made from (control-plane policies only).</summary>
    public string? PolicyHash { get; private init; }

    public CircuitBreaker? Breaker { get; private init; }

    /// <summary>The SAST request for this hop's body hash; null when SAST is off or the hop has no hash.</summary>
    public SastScanInfo? SastInfo { get; private init; }

    /// <summary>The DAST target of this hop (the sandbox, or the sandbox and this tool for <c>scope: tool</c>); null when DAST is off.</summary>
    public DastScanInfo? DastInfo { get; private init; }

    /// <summary>The cache key of <see cref="DastInfo"/>, computed once so the call path allocates nothing.</summary>
    public string? DastKey { get; private init; }

    /// <summary>True when an audit write failure must reach the caller (enforced <c>missing_audit_signature</c>).</summary>
    public bool FailClosedOnAudit { get; private init; }

    /// <summary>Writes the hop's identity into <paramref name="e"/>: the TypeScript-shaped fields and the hop key.</summary>
    public void StampIdentity(AuditEnvelope e, string hopKey)
    {
        (e.Server, e.Tool, e.ToolRef) = Audit;
        e.HopKey = hopKey;
        var named = Audit.Tool;
        switch (Config!.Type)
        {
            case HopType.Agent:
                e.Agent = named;
                break;
            case HopType.Orchestrator:
                e.AgentOrchestrator = named;
                break;
            case HopType.Gateway:
                e.Gateway = named;
                break;
            case HopType.Middleware:
                e.Middleware = Audit.Server;
                break;
            case HopType.Skill:
                e.Skill = named;
                break;
        }
    }

    public static ResolvedHop Create(HopPipeline owner, Sec0Config config, HopDescriptor descriptor, DecisionEngine engine, CircuitBreakerSet? breakers, SastVerdictCache? sast = null, DastVerdictCache? dast = null, string? policyHash = null)
    {
        HopConfig hop;
        try
        {
            hop = config.GetHop(descriptor.Key, descriptor.ExpectedType);
        }
        catch (Sec0ConfigException ex)
        {
            return new ResolvedHop(owner, null, ex) { PolicyEngine = engine };
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

        var server = name ?? hop.NodeId;
        var tool = hop.Type == HopType.Tool ? hop.Tool! : descriptor.Key;
        var named = version is null ? server : server + "@" + version;
        if (hop.Type == HopType.Orchestrator && hop.OrchestratorName is null && config.App.Client.Name is { } client)
        {
            // The envelope names an unnamed orchestrator after the app's client, as Sec0's TypeScript SDK does.
            named = config.App.Client.Version is { } clientVersion ? client + "@" + clientVersion : client;
        }

        (string? Server, string Tool, string ToolRef) audit = hop.Type switch
        {
            HopType.Agent => ("sec0-agent", named, "sec0-agent " + named),
            HopType.Orchestrator => ("sec0-orchestrator", named, "sec0-orchestrator " + named),
            HopType.Gateway => ("sec0-gateway", server, "sec0-gateway " + server),
            HopType.Server => (server, "server", server + " server"),
            HopType.Middleware => (server, hop.Op ?? descriptor.Key, server + " " + (hop.Op ?? descriptor.Key)),
            HopType.Tool => (server, tool, server + " " + tool),
            _ => (null, server, server),
        };
        // DAST targets are named after the app, not the hop's node: one sandbox scan serves every hop of the server.
        var dastInfo = dast?.CreateInfo(config.App.Client.Name ?? config.App.Tenant, descriptor.Key, descriptor.BodyHash);
        var hopEngine = engine.WithEnforcement(hop.Enforcement, $"app.hops.{descriptor.Key}.enforcement");
        return new ResolvedHop(owner, hop, null)
        {
            NodeType = nodeType,
            Server = server,
            Tool = tool,
            Version = version,
            ToolRef = $"{nodeType}://{server}/{tool}" + (version is null ? "" : "@" + version),
            Audit = audit,
            Engine = hopEngine,
            PolicyEngine = engine,
            PolicyHash = policyHash,
            Breaker = breakers?.Get(descriptor.Key),
            DastInfo = dastInfo,
            DastKey = dastInfo is null ? null : DastVerdictCache.KeyOf(dastInfo),
            SastInfo = sast is null || descriptor.BodyHash.Length == 0 ? null : new SastScanInfo
            {
                Server = server,
                Tool = tool,
                HandlerHash = descriptor.BodyHash,
                FilePath = descriptor.FilePath.Length == 0 ? null : descriptor.FilePath,
                StartLine = descriptor.StartLine,
                EndLine = descriptor.EndLine,
                Ruleset = sast.Policy.Ruleset,
            },
            FailClosedOnAudit = hopEngine.Mode == EnforcementMode.Enforce
                && (hopEngine.Strategy == EnforcementStrategy.DenyOnAny || hopEngine.DenyOn.Contains(PolicyReason.MissingAuditSignature)),
        };
    }
}

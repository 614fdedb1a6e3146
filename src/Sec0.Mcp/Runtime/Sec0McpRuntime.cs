using System.Collections.Frozen;
using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sec0.Approvals;
using Sec0.Audit;
using Sec0.ControlPlane;
using Sec0.Hops;
using Sec0.Policy;
using Sec0.Signing;

namespace Sec0.Mcp;

/// <summary>
/// What every Sec0 filter of one MCP server shares, built once from <see cref="Sec0McpOptions"/> when the host
/// starts (or the server is built, whichever comes first): the decision engine, circuit breakers, the signed
/// audit appender and the compile-time body hashes. Every load error names the option it came from.
/// </summary>
internal sealed class Sec0McpRuntime : IAsyncDisposable, IDisposable
{
    /// <summary>Tool-call spans; the same source name as the hop runtime ("Sec0").</summary>
    internal static readonly ActivitySource Source = new(Sec0App.ActivitySourceName, typeof(Sec0McpRuntime).Assembly.GetName().Version?.ToString());

    private readonly AuditSigner? _ownedSigner;
    private readonly FrozenDictionary<string, string> _bodyHashes;

    public Sec0McpRuntime(IOptions<Sec0McpOptions> options, ILoggerFactory? loggerFactory = null)
    {
        // IOptions.Value runs Sec0McpOptionsValidator: missing options fail here with their names.
        var o = options.Value;
        Options = o;
        Logger = (ILogger?)loggerFactory?.CreateLogger("Sec0.Mcp") ?? NullLogger.Instance;
        Time = o.TimeProvider ?? TimeProvider.System;

        var policy = LoadPolicy(o);
        Engine = DecisionEngine.Create(policy);
        Policy = policy;
        Breakers = Engine.CreateCircuitBreakers(Time);
        Tenant = o.Tenant ?? policy.Tenant;
        Environment = o.Otel.Environment?.Trim().ToLowerInvariant();

        AuditSigner signer;
        if (o.Signer is not null)
        {
            signer = o.Signer;
        }
        else
        {
            try
            {
                signer = _ownedSigner = LocalDevSigner.FromKeyRef(o.SignerKeyRef!, logger: Logger);
            }
            catch (Sec0Exception ex)
            {
                throw new Sec0McpOptionsException("Sec0McpOptions.SignerKeyRef", ex.Message, ex);
            }
        }

        try
        {
            Appender = AuditAppender.Open(new AuditAppenderOptions
            {
                Directory = o.Sec0.Dir!,
                Signer = signer,
                RetentionDays = o.Sec0.RetentionDays,
                SigningMode = o.Sec0.Signing,
                Flush = o.Sec0.Flush,
                TimeProvider = Time,
                Logger = Logger,
            });
        }
        catch (Exception ex) when (ex is Sec0Exception or ArgumentException)
        {
            _ownedSigner?.Dispose();
            throw new Sec0McpOptionsException("Sec0McpOptions.Sec0.Dir", ex.Message, ex);
        }

        _bodyHashes = ReadBodyHashes(o.ToolAssemblies, Logger);
        if (o.Approvals is { } approvals)
        {
            if (string.IsNullOrWhiteSpace(approvals.Directory))
            {
                throw new Sec0McpOptionsException("Sec0McpOptions.Approvals.Directory", "is required: the folder escalations are kept in, such as <sec0Dir>/approvals.");
            }

            Approvals = ApprovalService.OpenFolder(approvals.Directory, approvals.Groups, Appender, Time, Logger, Environment, approvals.Retention);
        }

        // Last: nothing after it can fail and leave its client undisposed.
        Remote = o.RemoteDecisions is { } remote ? new RemoteDecider(remote, Logger) : null;
    }

    /// <summary>Remote decisions, when <see cref="Sec0McpOptions.RemoteDecisions"/> is set.</summary>
    public RemoteDecider? Remote { get; }

    /// <summary>The approvals of escalated calls, when <see cref="Sec0McpOptions.Approvals"/> is set.</summary>
    public ApprovalService? Approvals { get; }

    public Sec0McpOptions Options { get; }

    public ILogger Logger { get; }

    public TimeProvider Time { get; }

    public DecisionEngine Engine { get; }

    public CircuitBreakerSet? Breakers { get; }

    public AuditAppender Appender { get; }

    public string Tenant { get; }

    /// <summary>The policy the engine decides with (its <c>human_escalation</c> sets how escalations are decided).</summary>
    public PolicyDocument Policy { get; }

    public string? Environment { get; }

    /// <summary>The compile-time body hash of a tool, by tool name; null when no manifest lists it.</summary>
    public string? BodyHashOf(string toolName)
    {
        if (_bodyHashes.TryGetValue(toolName, out var hash))
        {
            return hash;
        }

        // The generator keys a tool by [McpServerTool(Name = ...)] or the method name; the SDK may advertise the
        // method name in snake_case. Compare without case and underscores before giving up.
        var folded = Fold(toolName);
        foreach (var (key, value) in _bodyHashes)
        {
            if (Fold(key) == folded)
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>A new envelope for this server with the fields every Sec0.Mcp record shares.</summary>
    public AuditEnvelope NewEnvelope(string server, string? tool, string? toolRef, string op) => new()
    {
        Timestamp = Time.GetUtcNow(),
        Tenant = Tenant,
        Environment = Environment,
        ClientName = Options.Otel.ServiceName ?? server,
        NodeType = "tool",
        NodeId = server,
        Server = server,
        Tool = tool,
        ToolRef = toolRef,
        Op = op,
        Policy = AuditPolicyRecord.Allow,
        DefaultRetention = Policy.AuditRetention,
    };

    /// <summary>Queues <paramref name="envelope"/>; an audit failure is logged, never swallowed silently.</summary>
    public void Record(AuditEnvelope envelope)
    {
        try
        {
            Appender.Enqueue(envelope);
        }
        catch (Sec0AuditException ex)
        {
            Logger.McpEnvelopeNotWritten(ex, envelope.Op, envelope.Tool);
        }
    }

    /// <summary>Audits an attempt to change the frozen registry.</summary>
    public void RecordRegistryMutation(Sec0FreezableToolCollection registry, string operation, string? toolName)
    {
        var server = registry.ServerName;
        var e = NewEnvelope(server, toolName, toolName is null ? null : ToolRef(server, toolName, registry.ServerVersion), "registry." + operation);
        e.TargetServer = registry.TargetServer.Length == 0 ? null : registry.TargetServer;
        e.TargetTool = toolName;
        e.Status = EnvelopeStatus.Error;
        e.RegistryFrozen = true;
        e.DenialReason = PolicyReasons.RegistryMutation;
        e.DecisionReason = PolicyReasons.RegistryMutation;
        e.DenialLevel = DenialLevels.Middleware;
        e.Policy = AuditPolicyRecord.For(DecisionNames.Deny, PolicyReasons.RegistryMutation);
        e.LatencyMs = 0;
        e.TraceId = (Activity.Current?.TraceId ?? ActivityTraceId.CreateRandom()).ToHexString();
        e.SpanId = ActivitySpanId.CreateRandom().ToHexString();
        Logger.McpRegistryMutationBlocked(operation, toolName ?? "(all)", server);
        Record(e);
    }

    /// <summary><c>mcp://server/tool@version</c>.</summary>
    public static string ToolRef(string server, string tool, string version) => $"{ToolRefPattern.Scheme}{server}/{tool}@{version}";

    /// <summary>The circuit breaker key of a tool: <c>mcp://server/tool</c> (all versions share one breaker).</summary>
    public static string BreakerKey(string server, string tool) => ToolRefPattern.Scheme + server + "/" + tool;

    public async ValueTask DisposeAsync()
    {
        Remote?.Dispose();

        // Before the audit log: the sweeper records resolutions in it.
        if (Approvals is not null)
        {
            await Approvals.DisposeAsync().ConfigureAwait(false);
        }

        await Appender.DisposeAsync().ConfigureAwait(false);
        _ownedSigner?.Dispose();
    }

    /// <summary>For containers disposed synchronously: flushes and closes the audit log, then releases an owned key.</summary>
    public void Dispose()
    {
        Remote?.Dispose();
        Approvals?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Appender.Dispose();
        _ownedSigner?.Dispose();
    }

    private static PolicyDocument LoadPolicy(Sec0McpOptions o)
    {
        if (o.Policy is { } document)
        {
            return document;
        }

        var option = o.PolicyYaml is not null ? "Sec0McpOptions.PolicyYaml" : "Sec0McpOptions.PolicyPath";
        try
        {
            return o.PolicyYaml is { } yaml ? PolicyLoader.Parse(yaml, "Sec0McpOptions.PolicyYaml") : PolicyLoader.Load(o.PolicyPath!);
        }
        catch (Sec0PolicyException ex)
        {
            throw new Sec0McpOptionsException(option, ex.Message, ex);
        }
    }

    private static FrozenDictionary<string, string> ReadBodyHashes(IEnumerable<Assembly> toolAssemblies, ILogger logger)
    {
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        var assemblies = new List<Assembly>();
        if (Assembly.GetEntryAssembly() is { } entry)
        {
            assemblies.Add(entry);
        }

        assemblies.AddRange(toolAssemblies);
        foreach (var assembly in assemblies.Distinct())
        {
            if (string.IsNullOrEmpty(assembly.Location))
            {
                continue;
            }

            try
            {
                foreach (var manifestEntry in HopManifestReader.Read(assembly.Location))
                {
                    if (manifestEntry.Kind == "mcp_tool")
                    {
                        hashes.TryAdd(manifestEntry.Key, manifestEntry.BodyHash);
                    }
                }
            }
            catch (Sec0Exception ex)
            {
                // A missing manifest only means no hop_hash and no scan key: record the reason, keep serving.
                logger.McpHopManifestUnreadable(ex, assembly.GetName().Name);
            }
        }

        return hashes.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string Fold(string name) => name.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
}

using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Sec0.Audit;
using Sec0.Config;
using Sec0.Policy;
using Sec0.Scanning;

namespace Sec0.Hops;

/// <summary>
/// The hop runtime of an initialized app: resolves a hop's config once, decides before the call,
/// starts its Activity and agent frame, and queues one signed envelope per call. The caller's thread
/// does no I/O: the envelope goes to the appender's queue.
/// </summary>
internal sealed class HopPipeline : HopHost
{
    /// <summary>The ActivitySource of every hop span; register it with OpenTelemetry as "Sec0".</summary>
    internal static readonly ActivitySource Source = new(Sec0App.ActivitySourceName, typeof(HopPipeline).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);

    private static readonly AsyncLocal<AuditEnvelope?> s_frame = new();
    private readonly Sec0Config _config;
    private readonly AuditAppender _appender;
    private readonly DecisionEngine _engine;
    private readonly CircuitBreakerSet? _breakers;
    private readonly TimeProvider _time;
    private readonly ILogger? _logger;
    private readonly SastVerdictCache? _sast;
    private readonly DastVerdictCache? _dast;

    public HopPipeline(Sec0Config config, AuditAppender appender, DecisionEngine engine, TimeProvider time, ILogger? logger, SastVerdictCache? sast = null, DastVerdictCache? dast = null)
    {
        _sast = sast;
        _dast = dast;
        _config = config;
        _appender = appender;
        _engine = engine;
        _breakers = engine.CreateCircuitBreakers(time);
        _time = time;
        _logger = logger;
    }

    /// <summary>The envelope of the innermost hop running in this asynchronous flow, if any.</summary>
    internal static AuditEnvelope? CurrentFrame => s_frame.Value;

    internal override HopInvocation Begin(HopDescriptor descriptor) => Begin(descriptor, unintercepted: false);

    /// <summary>
    /// The guard's decision, made when the body starts: the same resolution, decision and envelope as an
    /// intercepted call, with <c>unintercepted_call</c> among the violations. The body's outcome is not seen
    /// here, so the envelope is recorded at once (status ok, latency 0) and the hop's Activity and agent
    /// frame end with it. A re-entry of the same hop within its own running call is not decided again.
    /// </summary>
    internal override void DecideUnintercepted(HopDescriptor descriptor)
    {
        // A re-entry of the hop inside its own decided call, still running in this asynchronous flow: an
        // override's base.Run() (before or after an await), or the hop reached again through a delegate.
        // The call was decided; its envelope will record it.
        if (s_frame.Value is { Recorded: 0 } frame && frame.Hop is { } running && running.IsSameHop(descriptor))
        {
            return;
        }

        End(Begin(descriptor, unintercepted: true), null);
    }

    private HopInvocation Begin(HopDescriptor descriptor, bool unintercepted)
    {
        var hop = Resolve(descriptor);
        if (hop.Error is { } error)
        {
            throw new Sec0ConfigException(error.Message, error.FilePath, error.Line, error.Column);
        }

        var cfg = hop.Config!;
        var parent = s_frame.Value;
        var parentActivity = Activity.Current;
        var activity = Source.StartActivity(descriptor.Key, ActivityKind.Internal);
        var e = new AuditEnvelope
        {
            Timestamp = _time.GetUtcNow(),
            Tenant = _config.App.Tenant,
            Environment = _config.App.Environment,
            ClientName = _config.App.Client.Name,
            ClientVersion = _config.App.Client.Version,
            NodeType = hop.NodeType,
            NodeId = cfg.NodeId,
            Server = hop.Server,
            Tool = hop.Tool,
            ToolRef = hop.ToolRef,
            HopHash = descriptor.BodyHash.Length == 0 ? null : descriptor.BodyHash,
            Policy = AuditPolicyRecord.Allow,
            Parent = parent,
            Hop = descriptor,
        };

        if (activity is not null)
        {
            e.Ids = TraceIds.From(activity);
            activity.SetTag("sec0.hop", descriptor.Key);
            activity.SetTag("sec0.node_id", cfg.NodeId);
            activity.SetTag("sec0.node_type", hop.NodeType);
        }
        else
        {
            // No listener: W3C-shaped ids anyway, continuing the ambient trace when there is one.
            e.Ids = TraceIds.NewSpan(parentActivity is not null ? TraceIds.From(parentActivity) : parent?.Ids);
        }

        if (parent is not null)
        {
            e.RunId = parent.RunId;
            e.CauseIds = parent.Ids;
        }
        else
        {
            // A run id names a run in the log; it needs to be unique, not secret, so no syscall per root hop.
            Span<byte> run = stackalloc byte[16];
            Random.Shared.NextBytes(run);
            e.RunId = new Guid(run);
        }

        // A dictionary lookup: the verdict known now, or pending while a background scan runs; never waits.
        var sast = _sast is not null && hop.SastInfo is { } sastInfo ? _sast.GetVerdict(sastInfo) : null;
        if (_sast is not null)
        {
            e.SastStatus = sast?.StatusName ?? ScanNames.Status(ScanStatus.None);
            e.SastFindings = sast?.FindingsJson;
            e.SastScanId = sast?.ScanId;
        }

        var dast = _dast is not null && hop.DastInfo is { } dastInfo ? _dast.GetVerdict(hop.DastKey!, dastInfo) : null;
        if (dast is not null)
        {
            e.DastStatus = dast.StatusName;
            e.DastFindings = dast.FindingsJson;
            e.DastScanId = dast.ScanId;
        }

        // Decide before the call: nothing below runs the hop's body unless the decision allows it.
        var decision = hop.Engine.Decide(new DecisionContext
        {
            HopKey = descriptor.Key,
            Server = hop.Server,
            Tool = hop.Tool,
            Version = hop.Version,
            CodeHash = e.HopHash,
            SastStatus = sast?.Status ?? ScanStatus.None,
            DastStatus = dast?.Status ?? ScanStatus.None,
            CircuitOpen = hop.Breaker?.IsOpen == true,
            MissingAuditSignature = _appender.IsFaulted,
            UninterceptedCall = unintercepted,
        });
        if (!decision.Violations.IsEmpty)
        {
            e.Policy = AuditPolicyRecord.For(decision.OutcomeName, decision.PrimaryReasonName);
            e.DecisionReason = decision.PrimaryReasonName;
            e.RiskTags = decision.GetRiskTagNames();
            e.RiskScore = decision.RiskScore;
            if (decision.IsBlocked)
            {
                var denial = decision.CreateException(DenialLevels.Decorator, descriptor.Key);
                Deny(e, activity, decision.PrimaryReasonName);
                throw denial;
            }
        }

        s_frame.Value = e;
        return Create(this, descriptor, e, Stopwatch.GetTimestamp(), activity, parentActivity);
    }

    internal override void End(in HopInvocation invocation, Exception? error)
    {
        var e = (AuditEnvelope)invocation.State!;
        if (Interlocked.Exchange(ref e.Recorded, 1) != 0)
        {
            return;
        }

        e.LatencyMs = Stopwatch.GetElapsedTime(invocation.StartTimestamp).TotalMilliseconds;
        e.Status = error is null ? "ok" : "error";
        if (s_frame.Value == e)
        {
            s_frame.Value = e.Parent;
        }

        if (invocation.Activity is { } activity)
        {
            if (error is not null)
            {
                activity.SetStatus(ActivityStatusCode.Error, error.GetType().Name);
            }

            activity.Stop();
        }

        var hop = (ResolvedHop)invocation.Descriptor.ResolvedState!;
        hop.Breaker?.Record(error is null, e.LatencyMs.GetValueOrDefault());
        Record(e, hop.FailClosedOnAudit, invocation.Descriptor.Key);
    }

    internal override void DetachFromCaller(in HopInvocation invocation)
    {
        base.DetachFromCaller(invocation);
        var e = (AuditEnvelope)invocation.State!;
        if (s_frame.Value == e)
        {
            s_frame.Value = e.Parent;
        }
    }

    private void Deny(AuditEnvelope e, Activity? activity, string reason)
    {
        e.Status = "error";
        e.DenialReason = reason;
        e.DenialLevel = DenialLevels.Decorator;
        e.LatencyMs = 0;
        e.Recorded = 1;
        activity?.SetStatus(ActivityStatusCode.Error, reason);
        activity?.Stop();
        Record(e, failClosed: false, e.Tool ?? "");
    }

    private void Record(AuditEnvelope e, bool failClosed, string key)
    {
        try
        {
            _appender.Enqueue(e);
        }
        catch (Sec0AuditException ex)
        {
            // Never swallowed: logged always, and thrown to the caller where policy denies missing_audit_signature.
            _logger?.LogError(ex, "[sec0] The audit envelope of hop {Hop} could not be written.", key);
            if (failClosed)
            {
                throw;
            }
        }
    }

    private ResolvedHop Resolve(HopDescriptor descriptor)
    {
        // Cached on the descriptor; re-resolved when another app (a re-initialization) owns the cache.
        if (descriptor.ResolvedState is ResolvedHop cached && ReferenceEquals(cached.Owner, this))
        {
            return cached;
        }

        var resolved = ResolvedHop.Create(this, _config, descriptor, _engine, _breakers, _sast, _dast);
        descriptor.ResolvedState = resolved;
        return resolved;
    }
}

using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Sec0.Approvals;
using Sec0.Audit;
using Sec0.Config;
using Sec0.ControlPlane;
using Sec0.Policy;
using Sec0.Scanning;
using Sec0.Telemetry;

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

    private static readonly AsyncLocal<HopFrame?> s_frame = new();
    private readonly Sec0Config _config;
    private readonly AuditAppender _appender;
    // One reference, swapped whole when a control-plane policy changes: a call sees the old pair or the new, never a mix.
    private volatile PolicyState _policy;
    private readonly TimeProvider _time;
    private readonly ILogger? _logger;
    private readonly SastVerdictCache? _sast;
    private readonly DastVerdictCache? _dast;
    private readonly HopApprovals? _approvals;
    private readonly RemoteDecider? _remote;

    public HopPipeline(Sec0Config config, AuditAppender appender, DecisionEngine engine, TimeProvider time, ILogger? logger, SastVerdictCache? sast = null, DastVerdictCache? dast = null, HopApprovals? approvals = null, RemoteDecider? remote = null)
    {
        _remote = remote;
        _approvals = approvals;
        _sast = sast;
        _dast = dast;
        _config = config;
        _appender = appender;
        _policy = new PolicyState(engine, engine.CreateCircuitBreakers(time), null);
        _time = time;
        _logger = logger;
    }

    /// <summary>The remote decisions of <c>controlPlane.runtime</c>, owned by this pipeline's app; null when decisions are local only.</summary>
    internal RemoteDecider? Remote => _remote;

    /// <summary>The innermost hop call running in this asynchronous flow, if any.</summary>
    internal static HopFrame? CurrentFrame => s_frame.Value;

    internal override HopInvocation Begin(HopDescriptor descriptor) => Begin(descriptor, unintercepted: false, escalable: false);

    internal override HopInvocation BeginEscalable(HopDescriptor descriptor) => Begin(descriptor, unintercepted: false, escalable: true);

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

        End(Begin(descriptor, unintercepted: true, escalable: false), null);
    }

    private HopInvocation Begin(HopDescriptor descriptor, bool unintercepted, bool escalable)
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
            HopHash = descriptor.BodyHash.Length == 0 ? null : descriptor.BodyHash,
            Policy = AuditPolicyRecord.Allow,
            DefaultRetention = hop.Engine.Policy.AuditRetention,
            PolicyHash = hop.PolicyHash,
        };
        hop.StampIdentity(e, descriptor.Key);
        var frame = new HopFrame(e, descriptor, parent);

        if (activity is not null)
        {
            e.Ids = TraceIds.From(activity);
            HopSpanTags.Start(activity, hop, descriptor.Key, cfg.NodeId);
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
        if (_remote is { } remote)
        {
            // Only calls with violations go to the remote engine: an allowed call's path does no I/O. The wait is bounded by
            // the budget, and the envelope is recorded whatever the remote engine does.
            if (RemoteDecider.Consults(decision))
            {
                decision = remote.Decide(decision, hop.Engine, new RemoteDecisionContext
                {
                    ExecutionLayer = DenialLevels.Decorator,
                    Tenant = _config.App.Tenant,
                    Server = hop.Server ?? descriptor.Key,
                    Tool = hop.Tool ?? descriptor.Key,
                    Version = hop.Version,
                    NodeId = cfg.NodeId,
                    RunId = e.RunId.ToString("N"),
                    HopKey = descriptor.Key,
                });
            }

            RemoteDecider.Stamp(e, activity, decision);
        }

        Sec0Metrics.RecordDecision(decision.OutcomeName, decision.PrimaryReasonName);

        if (!decision.Violations.IsEmpty)
        {
            e.Policy = AuditPolicyRecord.For(decision.OutcomeName, decision.PrimaryReasonName);
            e.DecisionReason = decision.PrimaryReasonName;
            AuditRisk.Apply(e, decision);
            if (decision.IsBlocked)
            {
                if (escalable && decision.Outcome == DecisionOutcome.Escalate && _approvals is { } approvals)
                {
                    // The escalation is bound to the call's arguments, which only the interceptor holds: it hands them
                    // to Escalate next. Nothing has run, and the envelope is recorded there.
                    return Create(this, descriptor, new PendingEscalation(frame, decision, approvals), 0, activity, parentActivity);
                }

                var denial = decision.CreateException(DenialLevels.Decorator, descriptor.Key);
                Deny(frame, activity, decision.PrimaryReasonName);
                throw denial;
            }
        }

        s_frame.Value = frame;
        return Create(this, descriptor, frame, Stopwatch.GetTimestamp(), activity, parentActivity);
    }

    /// <summary>
    /// An escalated call with its arguments. With an unspent approval token in scope: spent when it was approved for
    /// exactly this call (which then starts, recorded as any call with <c>escalation_status: approved</c>), otherwise
    /// refused as <c>approval_token_&lt;refusal&gt;</c>. Without one: the escalation is created
    /// (<see cref="ApprovalService.EscalateAsync"/>, as the MCP middleware and the gateway do) and the call refused with
    /// its id and status; with <c>auto_allow</c> it is approved at once and starts.
    /// </summary>
    internal override HopInvocation Escalate(in HopInvocation escalated, HopArguments arguments)
    {
        var pending = (PendingEscalation)escalated.State!;
        if (Interlocked.Exchange(ref pending.Settled, 1) != 0)
        {
            throw new InvalidOperationException("[sec0] This escalated hop call was settled already.");
        }

        var frame = pending.Frame;
        var e = frame.Envelope;
        var descriptor = escalated.Descriptor;
        var decision = pending.Decision;
        var approvals = pending.Approvals;
        string? refusal = null;
        try
        {
            var canonical = arguments.ToCanonicalJson();
            e.SetInputToHash(canonical);
            // Bound to the hop's own ref, not the envelope's TypeScript-shaped tool_ref: two hops of one agent share
            // that one, and an approval for one must not run the other.
            var hopRef = ((ResolvedHop)descriptor.ResolvedState!).ToolRef;
            var binding = new ApprovalBinding(e.Tenant ?? string.Empty, hopRef ?? string.Empty, e.NodeId ?? string.Empty, Sha256Hex.Of(canonical));

            // Blocking on the approvals store (file or database I/O) is acceptable here: only escalated calls get here,
            // never allowed ones, and the interceptor is synchronous up to the call, also for asynchronous hops.
            if (Sec0Approvals.Current is { IsSpent: false } scope)
            {
                var redemption = approvals.Service.RedeemAsync(scope.Token, binding, CancellationToken.None).GetAwaiter().GetResult();
                e.EscalationId = redemption.Escalation?.Id;
                e.EscalationStatus = redemption.Escalation is { } redeemed ? ApprovalNames.Of(redeemed.Status) : null;
                if (redemption.Accepted)
                {
                    // Spent: the body, and later calls in the scope, do not present it again.
                    scope.MarkSpent();
                    return Start(descriptor, frame, escalated);
                }

                refusal = ApprovalNames.Of(redemption.Refusal);
            }
            else
            {
                var request = EscalationRequest.For(decision, binding, canonical, DenialLevels.Decorator, e.Ids.TraceHex(), approvals.Policy);
                var attempt = approvals.Service.EscalateAsync(request, binding, approvals.Timeout, CancellationToken.None).GetAwaiter().GetResult();
                (e.EscalationId, e.EscalationStatus, e.EscalationError) = (attempt.EscalationId, attempt.Status, attempt.Error);
                if (attempt.Status == ApprovalNames.Of(EscalationStatus.Approved))
                {
                    // auto_allow: approved on creation, and EscalateAsync spent its token for this call.
                    return Start(descriptor, frame, escalated);
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The approvals store failed: refused as without approvals (fail closed), and the envelope says why.
            _logger?.HopEscalationFailed(ex, descriptor.Key);
            e.EscalationError ??= ex.Message;
        }

        // As the MCP middleware records an escalated call it refuses.
        e.DenialType = DenialTypes.Escalation;
        if (refusal is not null)
        {
            var reason = "approval_token_" + refusal;
            e.Policy = AuditPolicyRecord.For(decision.OutcomeName, reason);
            e.DecisionReason = reason;
            Deny(frame, escalated.Activity, reason);
            throw Sec0PolicyDeniedException.ApprovalTokenRefused(refusal, DenialLevels.Decorator, descriptor.Key, e.EscalationId, e.EscalationStatus);
        }

        var denial = decision.CreateException(DenialLevels.Decorator, descriptor.Key, e.EscalationId, e.EscalationStatus);
        Deny(frame, escalated.Activity, decision.PrimaryReasonName);
        throw denial;
    }

    /// <summary>Starts a call after its decision: from here on it is recorded by <see cref="End"/>.</summary>
    private HopInvocation Start(HopDescriptor descriptor, HopFrame frame, in HopInvocation decided)
    {
        s_frame.Value = frame;
        return Create(this, descriptor, frame, Stopwatch.GetTimestamp(), decided.Activity, decided.ParentActivity);
    }

    internal override void End(in HopInvocation invocation, Exception? error)
    {
        var frame = (HopFrame)invocation.State!;
        if (Interlocked.Exchange(ref frame.Recorded, 1) != 0)
        {
            return;
        }

        var e = frame.Envelope;
        e.LatencyMs = Stopwatch.GetElapsedTime(invocation.StartTimestamp).TotalMilliseconds;
        e.Status = EnvelopeStatus.Of(error is null);
        if (s_frame.Value == frame)
        {
            s_frame.Value = frame.Parent;
        }

        if (invocation.Activity is { } activity)
        {
            if (error is not null)
            {
                HopSpanTags.Failed(activity, error);
            }

            activity.Stop();
        }

        var hop = (ResolvedHop)invocation.Descriptor.ResolvedState!;
        Sec0Metrics.RecordHopDuration(e.LatencyMs.GetValueOrDefault() / 1000, invocation.Descriptor.Key, hop.NodeType, error?.GetType().FullName);
        hop.Breaker?.Record(error is null, e.LatencyMs.GetValueOrDefault());
        Record(e, hop.FailClosedOnAudit, invocation.Descriptor.Key);
    }

    internal override void DetachFromCaller(in HopInvocation invocation)
    {
        base.DetachFromCaller(invocation);
        var frame = (HopFrame)invocation.State!;
        if (s_frame.Value == frame)
        {
            s_frame.Value = frame.Parent;
        }
    }

    private void Deny(HopFrame frame, Activity? activity, string reason)
    {
        var e = frame.Envelope;
        e.Status = EnvelopeStatus.Error;
        e.DenialReason = reason;
        e.DenialLevel = DenialLevels.Decorator;
        e.LatencyMs = 0;
        frame.Recorded = 1;
        if (activity is not null)
        {
            HopSpanTags.Denied(activity, reason);
            activity.Stop();
        }

        Record(e, failClosed: false, e.HopKey ?? "");
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
            _logger?.HopEnvelopeNotWritten(ex, key);
            if (failClosed)
            {
                throw;
            }
        }
    }

    /// <summary>The decision engine calls are decided with now.</summary>
    internal DecisionEngine Engine => _policy.Engine;

    /// <summary>
    /// Decides later calls with <paramref name="policy"/> (a control-plane policy changed). Circuit breakers keep their
    /// state while their settings stay the same; each hop is resolved again at its next call.
    /// </summary>
    /// <param name="policy">The new policy.</param>
    /// <param name="hash">Its <c>policy_hash</c>, written on the envelopes it decides; null for none.</param>
    internal void UpdatePolicy(PolicyDocument policy, string? hash)
    {
        var current = _policy;
        var engine = DecisionEngine.Create(policy);
        var breakers = Equals(policy.Enforcement.CircuitBreakers, current.Engine.Policy.Enforcement.CircuitBreakers)
            ? current.Breakers
            : engine.CreateCircuitBreakers(_time);
        _policy = new PolicyState(engine, breakers, hash);
    }

    private ResolvedHop Resolve(HopDescriptor descriptor)
    {
        // Cached on the descriptor; re-resolved when another app (a re-initialization) owns the cache, or the policy changed.
        if (descriptor.ResolvedState is ResolvedHop cached && ReferenceEquals(cached.Owner, this) && ReferenceEquals(cached.PolicyEngine, _policy.Engine))
        {
            return cached;
        }

        var policy = _policy;
        var resolved = ResolvedHop.Create(this, _config, descriptor, policy.Engine, policy.Breakers, _sast, _dast, policy.Hash);
        descriptor.ResolvedState = resolved;
        return resolved;
    }

    /// <summary>Names the start-up policy's <c>policy_hash</c> (a control-plane policy); before any call.</summary>
    internal void SetPolicyHash(string? hash) => _policy = _policy with { Hash = hash };

    private sealed record PolicyState(DecisionEngine Engine, CircuitBreakerSet? Breakers, string? Hash);
}

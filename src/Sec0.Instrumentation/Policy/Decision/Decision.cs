using Sec0.Approvals;

namespace Sec0.Policy;

/// <summary>
/// The result of <see cref="DecisionEngine.Decide"/>: what to do with the call, every violated reason, the
/// primary reason, the risk tags and the risk score. A value type: deciding an allowed call allocates nothing.
/// </summary>
public readonly struct Decision
{
    // The reason the remote engine (or its failure mode) gave, which need not be a PolicyReason; null: PrimaryReason's name.
    private readonly string? _reasonName;

    internal Decision(DecisionOutcome outcome, PolicyReasonSet violations, PolicyReasonSet blockingReasons, PolicyReason primaryReason, PolicyRiskTags riskTags, double riskScore)
    {
        Outcome = outcome;
        Violations = violations;
        BlockingReasons = blockingReasons;
        PrimaryReason = primaryReason;
        RiskTags = riskTags;
        RiskScore = riskScore;
    }

    private Decision(in Decision local, DecisionOutcome outcome, DecisionSource source, string? reasonName)
    {
        Outcome = outcome;
        Violations = local.Violations;
        // A remote block of a call the local engine allowed blocks it for all its violations; an allow is blocked by none.
        BlockingReasons = outcome == DecisionOutcome.Allow ? PolicyReasonSet.Empty
            : local.BlockingReasons.IsEmpty ? local.Violations : local.BlockingReasons;
        PrimaryReason = local.PrimaryReason;
        RiskTags = local.RiskTags;
        RiskScore = local.RiskScore;
        Source = source;
        _reasonName = reasonName ?? local._reasonName;
    }

    /// <summary>What to do with the call.</summary>
    public DecisionOutcome Outcome { get; }

    /// <summary>Every reason the call violates, whether or not it denies.</summary>
    public PolicyReasonSet Violations { get; }

    /// <summary>
    /// The reasons behind a deny, escalate or would_deny outcome: those that deny (or, for escalate, those
    /// that escalate). Empty for allow.
    /// </summary>
    public PolicyReasonSet BlockingReasons { get; }

    /// <summary>
    /// The reason to report (<c>decision_reason</c>, the exception's violation): the most severe blocking
    /// reason, or for an allowed call with violations the most severe violation; None without violations.
    /// </summary>
    public PolicyReason PrimaryReason { get; }

    /// <summary>The risk tags (see <see cref="GetRiskTagNames"/> for their names).</summary>
    public PolicyRiskTags RiskTags { get; }

    /// <summary>
    /// The risk score in [0, 1]: 1 - Π(1 - w) over the violated reasons' weights (docs/policy.md lists them);
    /// 0 without violations.
    /// </summary>
    public double RiskScore { get; }

    /// <summary>Which engine decided: <see cref="DecisionSource.Local"/> unless a remote engine was consulted.</summary>
    public DecisionSource Source { get; }

    /// <summary>The source's audit name (<c>decision_source</c>): <c>local</c>, <c>remote</c>, <c>fallback-local</c>, <c>fallback-allow</c> or <c>fallback-deny</c>.</summary>
    public string SourceName => Source switch
    {
        DecisionSource.Remote => "remote",
        DecisionSource.FallbackLocal => "fallback-local",
        DecisionSource.FallbackAllow => "fallback-allow",
        DecisionSource.FallbackDeny => "fallback-deny",
        _ => "local",
    };

    /// <summary>True when the call must not run now: deny or escalate. Never true in observe mode.</summary>
    public bool IsBlocked => Outcome is DecisionOutcome.Deny or DecisionOutcome.Escalate;

    /// <summary>The outcome's audit name: <c>allow</c>, <c>deny</c>, <c>would_deny</c> or <c>escalate</c>.</summary>
    public string OutcomeName => Outcome switch
    {
        DecisionOutcome.Deny => DecisionNames.Deny,
        DecisionOutcome.WouldDeny => DecisionNames.WouldDeny,
        DecisionOutcome.Escalate => DecisionNames.Escalate,
        _ => DecisionNames.Allow,
    };

    /// <summary>
    /// The reason to report: the remote engine's reason when it decided and gave one (or its failure mode's, such as
    /// <c>runtime_remote_unavailable_fallback_deny</c>), otherwise the primary reason's name; an empty string when there is none.
    /// </summary>
    public string PrimaryReasonName => _reasonName ?? PolicyReasons.GetName(PrimaryReason);

    /// <summary>
    /// This decision with the outcome another engine gave it (a remote engine, or the failure mode standing in for one),
    /// keeping the local violations, risk and primary reason; <paramref name="reasonName"/>, when not null, becomes
    /// <see cref="PrimaryReasonName"/>.
    /// </summary>
    internal Decision WithOutcome(DecisionOutcome outcome, DecisionSource source, string? reasonName) => new(this, outcome, source, reasonName);

    /// <summary>The risk tag names, e.g. <c>["exfiltration", "side_effect"]</c>; shared, cached lists.</summary>
    public IReadOnlyList<string> GetRiskTagNames() => RiskModel.Names(RiskTags);

    /// <summary>
    /// The exception to throw instead of running a blocked call: <see cref="Sec0CircuitOpenException"/> when
    /// the primary reason is <c>circuit_open</c>, otherwise <see cref="Sec0PolicyDeniedException"/>.
    /// </summary>
    /// <param name="denialLevel"><c>decorator</c> for hops, <c>middleware</c> or <c>gateway</c>.</param>
    /// <param name="subject">What was called: a hop key or tool ref, for the message.</param>
    /// <exception cref="InvalidOperationException">The decision does not block the call.</exception>
    public Sec0PolicyDeniedException CreateException(string denialLevel, string subject)
        => CreateException(denialLevel, subject, escalationId: null, escalationStatus: null);

    /// <summary>As <see cref="CreateException(string, string)"/>, for an escalated call with its escalation (both null without one).</summary>
    internal Sec0PolicyDeniedException CreateException(string denialLevel, string subject, string? escalationId, string? escalationStatus)
    {
        if (!IsBlocked)
        {
            throw new InvalidOperationException($"A decision with outcome {OutcomeName} does not block the call.");
        }

        if (PrimaryReason == PolicyReason.CircuitOpen && _reasonName is null)
        {
            // circuit_open never escalates.
            return new Sec0CircuitOpenException(subject, denialLevel, $"[sec0] \"{subject}\" denied: its circuit breaker is open (circuit_open).");
        }

        // Says where to go next: the escalation to wait for, and how the approved call is retried.
        var escalation = escalationId is null ? string.Empty
            : escalationStatus == ApprovalNames.Pending
                ? $" Escalation {escalationId} is pending: wait for it (Sec0App.Approvals.WaitForApprovalAsync) and retry the call inside Sec0Approvals.UseToken(token)."
                : $" Escalation {escalationId} is {escalationStatus}.";

        var verb = Outcome == DecisionOutcome.Escalate ? "requires human approval" : "denied by policy";
        return new Sec0PolicyDeniedException(
            PrimaryReasonName,
            denialLevel,
            $"[sec0] \"{subject}\" {verb}: {PrimaryReasonName} (violations: {Violations}).{escalation}")
        {
            EscalationId = escalationId,
            EscalationStatus = escalationStatus,
        };
    }

    /// <summary><c>deny payload_too_large [payload_too_large, sast_pending] risk 0.58</c>.</summary>
    public override string ToString() =>
        $"{OutcomeName} {PrimaryReasonName} {Violations} risk {RiskScore.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}".Replace("  ", " ", StringComparison.Ordinal);
}

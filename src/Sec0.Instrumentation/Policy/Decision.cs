namespace Sec0.Policy;

/// <summary>
/// The result of <see cref="DecisionEngine.Decide"/>: what to do with the call, every violated reason, the
/// primary reason, the risk tags and the risk score. A value type: deciding an allowed call allocates nothing.
/// </summary>
public readonly struct Decision
{
    internal Decision(DecisionOutcome outcome, PolicyReasonSet violations, PolicyReasonSet blockingReasons, PolicyReason primaryReason, PolicyRiskTags riskTags, double riskScore)
    {
        Outcome = outcome;
        Violations = violations;
        BlockingReasons = blockingReasons;
        PrimaryReason = primaryReason;
        RiskTags = riskTags;
        RiskScore = riskScore;
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

    /// <summary>True when the call must not run now: deny or escalate. Never true in observe mode.</summary>
    public bool IsBlocked => Outcome is DecisionOutcome.Deny or DecisionOutcome.Escalate;

    /// <summary>The outcome's audit name: <c>allow</c>, <c>deny</c>, <c>would_deny</c> or <c>escalate</c>.</summary>
    public string OutcomeName => Outcome switch
    {
        DecisionOutcome.Deny => "deny",
        DecisionOutcome.WouldDeny => "would_deny",
        DecisionOutcome.Escalate => "escalate",
        _ => "allow",
    };

    /// <summary>The primary reason's name; an empty string when there is none.</summary>
    public string PrimaryReasonName => PolicyReasons.GetName(PrimaryReason);

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

        if (PrimaryReason == PolicyReason.CircuitOpen)
        {
            // circuit_open never escalates.
            return new Sec0CircuitOpenException(subject, denialLevel, $"[sec0] \"{subject}\" denied: its circuit breaker is open (circuit_open).");
        }

        // Says where to go next: the escalation to wait for, and how the approved call is retried.
        var escalation = escalationId is null ? string.Empty
            : escalationStatus == "pending"
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

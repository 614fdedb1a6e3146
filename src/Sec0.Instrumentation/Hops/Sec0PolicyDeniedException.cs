namespace Sec0;

/// <summary>
/// Thrown instead of running a hop (or tool) that policy denied. The hop's body never ran.
/// <see cref="Policy.Sec0CircuitOpenException"/> derives from it (code <c>CIRCUIT_OPEN</c>), so one
/// <c>catch</c> sees every denial and <see cref="Sec0Exception.Code"/> tells them apart.
/// </summary>
public class Sec0PolicyDeniedException : Sec0Exception
{
    /// <summary>The code carried by every policy denial.</summary>
    public const string ErrorCode = "POLICY_DENIED";

    /// <summary>
    /// The code of a retried escalated call whose approval token was refused (as the gateway's <c>APPROVAL_TOKEN_REFUSED</c>);
    /// <see cref="Violation"/> then names the refusal, e.g. <c>approval_token_already_used</c>.
    /// </summary>
    public const string ApprovalTokenRefusedCode = "APPROVAL_TOKEN_REFUSED";

    /// <summary>Creates a denial.</summary>
    /// <param name="violation">The reason from the <c>deny_on</c> vocabulary, e.g. <c>tool_not_in_allowlist</c>.</param>
    /// <param name="denialLevel">Where the denial happened: <c>decorator</c> for hops, <c>middleware</c>, <c>gateway</c>.</param>
    /// <param name="message">A message that says what was denied and why.</param>
    public Sec0PolicyDeniedException(string violation, string denialLevel, string message)
        : this(ErrorCode, violation, denialLevel, message)
    {
    }

    /// <summary>Creates a denial with a more specific code, for derived denials.</summary>
    /// <param name="code">The stable error code, e.g. <c>CIRCUIT_OPEN</c>.</param>
    /// <param name="violation">The reason from the <c>deny_on</c> vocabulary.</param>
    /// <param name="denialLevel">Where the denial happened.</param>
    /// <param name="message">A message that says what was denied and why.</param>
    protected Sec0PolicyDeniedException(string code, string violation, string denialLevel, string message)
        : base(code, message)
    {
        Violation = violation;
        DenialLevel = denialLevel;
    }

    /// <summary>The reason from the <c>deny_on</c> vocabulary.</summary>
    public string Violation { get; }

    /// <summary>Where the denial happened: <c>decorator</c>, <c>middleware</c> or <c>gateway</c>.</summary>
    public string DenialLevel { get; }

    /// <summary>
    /// The escalation the call is waiting for (<c>esc_</c> and 32 hex digits): wait for it with
    /// <see cref="Approvals.ApprovalService.WaitForApprovalAsync"/> (<see cref="Sec0App.Approvals"/> for hops) and retry the
    /// call with the token inside <see cref="Sec0Approvals.UseToken"/>. For a refused approval token, the token's escalation.
    /// Null when the denial has no escalation (not escalated, approvals not configured, or creating it failed).
    /// </summary>
    public string? EscalationId { get; init; }

    /// <summary>
    /// The status of <see cref="EscalationId"/> when the call was refused: <c>pending</c>, <c>no_approvers_configured</c>,
    /// or for a refused approval token the status of its escalation (<c>approved</c>, <c>rejected</c>, …). Null without an escalation.
    /// </summary>
    public string? EscalationStatus { get; init; }

    /// <summary>The refusal of an approval token presented with a retried escalated call (code <see cref="ApprovalTokenRefusedCode"/>).</summary>
    /// <param name="refusal">The refusal's wire name, e.g. <c>already_used</c>.</param>
    /// <param name="denialLevel">Where the call was stopped.</param>
    /// <param name="subject">The hop key or tool ref.</param>
    /// <param name="escalationId">The token's escalation, when it names one that exists.</param>
    /// <param name="escalationStatus">That escalation's status.</param>
    internal static Sec0PolicyDeniedException ApprovalTokenRefused(string refusal, string denialLevel, string subject, string? escalationId, string? escalationStatus) => new(
        ApprovalTokenRefusedCode,
        "approval_token_" + refusal,
        denialLevel,
        $"[sec0] \"{subject}\" refused its approval token: approval_token_{refusal}. A token runs the one call it was approved for, once: the same hop, node and arguments.")
    {
        EscalationId = escalationId,
        EscalationStatus = escalationStatus,
    };
}

namespace Sec0.Policy;

/// <summary>
/// <c>security.side_effects.human_escalation</c>: how an escalated call is approved. Parsed and validated
/// here; enforced by <c>Sec0.Approvals</c> (docs/approvals.md).
/// </summary>
public sealed record HumanEscalationPolicy
{
    /// <summary><c>approval_strategy</c>: <c>auto_allow</c>, <c>single_approver</c> or <c>human_quorum</c>; null when absent.</summary>
    public string? ApprovalStrategy { get; init; }

    /// <summary><c>timeout_action</c>: <c>auto_approve</c> or <c>auto_reject</c>; null when absent.</summary>
    public string? TimeoutAction { get; init; }

    /// <summary><c>min_approvals</c> (at least 1), null when absent.</summary>
    public int? MinApprovals { get; init; }

    /// <summary><c>min_rejections</c> (at least 1), null when absent.</summary>
    public int? MinRejections { get; init; }

    /// <summary><c>required_roles</c>.</summary>
    public IReadOnlyList<string> RequiredRoles { get; init; } = [];

    /// <summary><c>veto_roles</c>.</summary>
    public IReadOnlyList<string> VetoRoles { get; init; } = [];

    /// <summary><c>approval_set_id</c>, null when absent.</summary>
    public string? ApprovalSetId { get; init; }

    /// <summary>
    /// <c>escalation_ttl_seconds</c> (at least 1): how long an escalation stays pending; null when absent. Also read from
    /// <c>security.side_effects.escalation_ttl_seconds</c> / <c>ttl_seconds</c>, where Sec0's TS SDK reads it.
    /// </summary>
    public int? EscalationTtlSeconds { get; init; }
}

namespace Sec0.Policy;

/// <summary><c>security.side_effects</c>.</summary>
public sealed record SideEffectsPolicy
{
    /// <summary>Nothing required, no escalation.</summary>
    public static SideEffectsPolicy Default { get; } = new();

    /// <summary><c>require_idempotency_key</c> (default false): a side-effecting call without a key is <c>missing_idempotency_for_side_effect</c>.</summary>
    public bool RequireIdempotencyKey { get; init; }

    /// <summary><c>approve_high_risk</c> (default false): with no <c>escalate_on</c>, the <c>deny_on</c> reasons escalate instead of denying.</summary>
    public bool ApproveHighRisk { get; init; }

    /// <summary><c>human_escalation</c>, null when absent.</summary>
    public HumanEscalationPolicy? HumanEscalation { get; init; }
}

using Sec0.Config;

namespace Sec0.Policy;

/// <summary>The policy's <c>enforcement</c> block.</summary>
public sealed record EnforcementPolicy
{
    /// <summary>Enforce, deny_on_match, nothing in <c>deny_on</c> (so nothing is denied), no breakers.</summary>
    public static EnforcementPolicy Default { get; } = new();

    /// <summary><c>mode</c>: <c>enforce</c> (default) or <c>observe</c> (records <c>would_deny</c>, never blocks).</summary>
    public EnforcementMode Mode { get; init; } = EnforcementMode.Enforce;

    /// <summary><c>strategy</c>: <c>deny_on_match</c> (default) or <c>deny_on_any</c>.</summary>
    public EnforcementStrategy Strategy { get; init; } = EnforcementStrategy.DenyOnMatch;

    /// <summary><c>deny_on</c>: the reasons that deny under <c>deny_on_match</c>. Empty denies nothing.</summary>
    public IReadOnlyList<PolicyReason> DenyOn { get; init; } = [];

    /// <summary>
    /// <c>escalate_on</c>: the reasons that send a call to human approval instead of denying it. Null when
    /// absent: then <c>deny_on</c> escalates if <c>security.side_effects.approve_high_risk</c> is true.
    /// </summary>
    public IReadOnlyList<PolicyReason>? EscalateOn { get; init; }

    /// <summary><c>circuit_breakers</c>, or null when breakers are off.</summary>
    public CircuitBreakerOptions? CircuitBreakers { get; init; }
}

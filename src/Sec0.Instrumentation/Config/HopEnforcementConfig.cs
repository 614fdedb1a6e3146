namespace Sec0.Config;

/// <summary>
/// The <c>enforcement</c> block of one <c>app.hops</c> entry. Only the shape is checked when the config
/// loads; the reason names in <see cref="DenyOn"/> and <see cref="EscalateOn"/> are checked by the policy.
/// Sec0's TypeScript spellings <c>denyOn</c>, <c>escalateOn</c> and <c>enabled</c> are read with their TypeScript
/// meaning (docs/migrating-from-typescript.md).
/// </summary>
public sealed record HopEnforcementConfig
{
    /// <summary>The strategy used when none is configured.</summary>
    public const string DefaultStrategy = "deny_on_match";

    /// <summary>The enforcement used when a hop has no <c>enforcement</c> block.</summary>
    public static HopEnforcementConfig Default { get; } = new();

    /// <summary>
    /// <c>enabled</c> (default true). False, as in Sec0's TypeScript SDK, turns enforcement off for this hop: its calls
    /// are still decided and audited, and what would have blocked is recorded as <c>would_deny</c> (as in observe mode).
    /// </summary>
    public bool Enabled { get; init; } = true;

    /// <summary><c>mode</c>: enforce (default) or observe.</summary>
    public EnforcementMode Mode { get; init; } = EnforcementMode.Enforce;

    /// <summary><c>strategy</c>: <c>deny_on_match</c> (default) or <c>deny_on_any</c>.</summary>
    public string Strategy { get; init; } = DefaultStrategy;

    /// <summary>
    /// <c>deny_on</c> (or <c>denyOn</c>): the reasons that deny the call. Null (the key is absent) uses the policy's
    /// <c>enforcement.deny_on</c> and <c>escalate_on</c>, as Sec0's TypeScript SDK does.
    /// </summary>
    public IReadOnlyList<string>? DenyOn { get; init; }

    /// <summary><c>escalate_on</c> (or <c>escalateOn</c>): the reasons that escalate to human approval; null falls back to <see cref="DenyOn"/>.</summary>
    public IReadOnlyList<string>? EscalateOn { get; init; }

    /// <summary>The hop's own escalating reasons: <see cref="EscalateOn"/> when set, otherwise <see cref="DenyOn"/> (empty when neither is set).</summary>
    public IReadOnlyList<string> EffectiveEscalateOn => EscalateOn ?? DenyOn ?? [];
}

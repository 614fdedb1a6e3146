namespace Sec0.Config;

/// <summary>
/// The <c>enforcement</c> block of one <c>app.hops</c> entry. Only the shape is checked when the config
/// loads; the reason names in <see cref="DenyOn"/> and <see cref="EscalateOn"/> are checked by the policy.
/// </summary>
public sealed record HopEnforcementConfig
{
    /// <summary>The strategy used when none is configured.</summary>
    public const string DefaultStrategy = "deny_on_match";

    /// <summary>The enforcement used when a hop has no <c>enforcement</c> block.</summary>
    public static HopEnforcementConfig Default { get; } = new();

    /// <summary><c>mode</c>: enforce (default) or observe.</summary>
    public EnforcementMode Mode { get; init; } = EnforcementMode.Enforce;

    /// <summary><c>strategy</c>: <c>deny_on_match</c> (default) or <c>deny_on_any</c>.</summary>
    public string Strategy { get; init; } = DefaultStrategy;

    /// <summary><c>deny_on</c>: the reasons that deny the call. Empty (the default) denies nothing.</summary>
    public IReadOnlyList<string> DenyOn { get; init; } = [];

    /// <summary><c>escalate_on</c>: the reasons that escalate to human approval; null falls back to <see cref="DenyOn"/>.</summary>
    public IReadOnlyList<string>? EscalateOn { get; init; }

    /// <summary>The reasons that escalate: <see cref="EscalateOn"/> when set, otherwise <see cref="DenyOn"/>.</summary>
    public IReadOnlyList<string> EffectiveEscalateOn => EscalateOn ?? DenyOn;
}

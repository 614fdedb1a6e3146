namespace Sec0.Policy;

/// <summary>
/// Everything a decision needs to know about one call, filled in by the caller (hop runtime, MCP
/// middleware, gateway) before the call runs. Fields left at their defaults are "not applicable": a
/// context without <see cref="Server"/>/<see cref="Tool"/> skips the tool allowlist, one without
/// <see cref="EgressUrl"/> skips the egress check, and so on. The caller detects registry mutations,
/// handler swaps and code changes and reports them through the flags; the engine only weighs them.
/// </summary>
public readonly struct DecisionContext
{
    /// <summary>The hop key (<c>TypeName.MethodName</c> or the <c>[Sec0Hop("...")]</c> key), for hops; null for tool calls.</summary>
    public string? HopKey { get; init; }

    /// <summary>The MCP server name of the tool ref; null when the call is not a tool call.</summary>
    public string? Server { get; init; }

    /// <summary>The MCP tool name of the tool ref; null when the call is not a tool call.</summary>
    public string? Tool { get; init; }

    /// <summary>The tool version the call asks for; null or empty when it names none.</summary>
    public string? Version { get; init; }

    /// <summary>The size of the call's arguments in bytes.</summary>
    public long PayloadBytes { get; init; }

    /// <summary>The expected duration in milliseconds, when the caller has one (a requested timeout, say).</summary>
    public double? DurationEstimateMs { get; init; }

    /// <summary>True when the call changes something outside the process (writes, payments, messages).</summary>
    public bool IsSideEffect { get; init; }

    /// <summary>True when the call carries an idempotency key.</summary>
    public bool HasIdempotencyKey { get; init; }

    /// <summary>The code hash the scan verdicts belong to (the compile-time body hash for hops); for the record only.</summary>
    public string? CodeHash { get; init; }

    /// <summary>The SAST verdict for <see cref="CodeHash"/>.</summary>
    public ScanStatus SastStatus { get; init; }

    /// <summary>The DAST verdict for the target.</summary>
    public ScanStatus DastStatus { get; init; }

    /// <summary>The URL the call will reach, when it makes an outbound request.</summary>
    public string? EgressUrl { get; init; }

    /// <summary>The file path the call will touch, when it does.</summary>
    public string? FsPath { get; init; }

    /// <summary>True when the hop's or tool's <see cref="CircuitBreaker"/> is open.</summary>
    public bool CircuitOpen { get; init; }

    /// <summary>True when the audit envelope for this call cannot be signed.</summary>
    public bool MissingAuditSignature { get; init; }

    /// <summary>True when the tool registry changed after it was frozen.</summary>
    public bool RegistryMutation { get; init; }

    /// <summary>True when the tool's handler was replaced after registration.</summary>
    public bool HandlerSwap { get; init; }

    /// <summary>True when the server's code hash differs from the recorded one.</summary>
    public bool ServerCodeChanged { get; init; }

    /// <summary>True when the tool's (or hop's) code hash differs from the recorded one.</summary>
    public bool ToolCodeChanged { get; init; }

    /// <summary>True when a skill's version differs from the recorded one.</summary>
    public bool SkillVersionChanged { get; init; }

    /// <summary>True when a skill's code hash differs from the recorded one.</summary>
    public bool SkillCodeChanged { get; init; }

    /// <summary>True when a skill's scan has not finished.</summary>
    public bool SkillScanPending { get; init; }

    /// <summary>True when a skill's scan failed.</summary>
    public bool SkillScanFailed { get; init; }

    /// <summary>True when the agent guard flagged the call.</summary>
    public bool AgentGuardFailed { get; init; }

    /// <summary>True when a contextual evaluator denied the call.</summary>
    public bool ContextualEvaluatorDenied { get; init; }

    /// <summary>True when a contextual evaluator asked for human review.</summary>
    public bool ContextualEvaluatorEscalated { get; init; }

    /// <summary>
    /// True when the call's input cannot be expressed as canonical JSON (a duplicate member, a number outside double
    /// range), so it cannot be hashed: <c>malformed_input</c>, which denies in every mode.
    /// </summary>
    public bool MalformedInput { get; init; }

    /// <summary>
    /// True when the caller is not entitled to the tool (the gateway's tenant, user, role and agent lists):
    /// <c>tool_not_in_allowlist</c>, which then denies whatever <c>deny_on</c> lists (observe mode only records it).
    /// </summary>
    public bool NotEntitled { get; init; }

    /// <summary>True when a hop's body was entered without a decision by its interceptor and its guard decides the call.</summary>
    public bool UninterceptedCall { get; init; }
}

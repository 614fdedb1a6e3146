namespace Sec0.Policy;

/// <summary>
/// A reason a call violates policy: the <c>deny_on</c> / <c>escalate_on</c> vocabulary as an enum, so that a
/// set of reasons fits in one <see cref="PolicyReasonSet"/> bit mask. <see cref="PolicyReasons"/> holds the
/// YAML names. The numeric values are bit positions and never change meaning.
/// </summary>
public enum PolicyReason
{
    /// <summary>No reason: the primary reason of a decision without violations.</summary>
    None = 0,
    /// <summary><c>missing_audit_signature</c>: the audit envelope for the call cannot be signed.</summary>
    MissingAuditSignature = 1,
    /// <summary><c>tool_not_in_allowlist</c>: the tool (or its version) is not allowed by <c>tools.allowlist</c> / <c>security.allow_versions</c>.</summary>
    ToolNotInAllowlist = 2,
    /// <summary><c>version_unpinned</c>: the tool ref has no exact version and <c>tools.deny_if_unpinned_version</c> is on.</summary>
    VersionUnpinned = 3,
    /// <summary><c>missing_idempotency_for_side_effect</c>: a side-effecting call without an idempotency key.</summary>
    MissingIdempotencyForSideEffect = 4,
    /// <summary><c>egress_violation</c>: the call's outbound URL is not in <c>security.egress_allowlist</c>.</summary>
    EgressViolation = 5,
    /// <summary><c>fs_violation</c>: the call's file path is not in <c>security.fs_allowlist</c>.</summary>
    FsViolation = 6,
    /// <summary><c>payload_too_large</c>: the arguments are larger than <c>security.limits.max_payload_kb</c>.</summary>
    PayloadTooLarge = 7,
    /// <summary><c>duration_too_long</c>: the expected duration exceeds <c>security.limits.max_duration_ms</c>.</summary>
    DurationTooLong = 8,
    /// <summary><c>registry_mutation</c>: the tool registry changed after it was frozen.</summary>
    RegistryMutation = 9,
    /// <summary><c>handler_swap</c>: a tool's handler was replaced after registration.</summary>
    HandlerSwap = 10,
    /// <summary><c>server_code_changed</c>: the server's code hash differs from the recorded one.</summary>
    ServerCodeChanged = 11,
    /// <summary><c>tool_code_changed</c>: the tool's (or hop's) code hash differs from the recorded one.</summary>
    ToolCodeChanged = 12,
    /// <summary><c>skill_version_changed</c>: a skill's version differs from the recorded one.</summary>
    SkillVersionChanged = 13,
    /// <summary><c>skill_code_changed</c>: a skill's code hash differs from the recorded one.</summary>
    SkillCodeChanged = 14,
    /// <summary><c>skill_scan_pending</c>: a skill's scan has not finished.</summary>
    SkillScanPending = 15,
    /// <summary><c>skill_scan_failed</c>: a skill's scan failed.</summary>
    SkillScanFailed = 16,
    /// <summary><c>sast_pending</c>: no SAST verdict yet for the code hash and <c>sast.block_on_change</c> is on.</summary>
    SastPending = 17,
    /// <summary><c>sast_failed</c>: the SAST verdict for the code hash is <c>fail</c> (or <c>error</c> with <c>sast.fail_on_error</c>).</summary>
    SastFailed = 18,
    /// <summary><c>dast_pending</c>: no DAST verdict yet and <c>dast.block_on_change</c> is on.</summary>
    DastPending = 19,
    /// <summary><c>dast_failed</c>: the DAST verdict is <c>fail</c> (or <c>error</c> with <c>dast.fail_on_error</c>).</summary>
    DastFailed = 20,
    /// <summary><c>agent_guard_failed</c>: the agent guard flagged the call.</summary>
    AgentGuardFailed = 21,
    /// <summary><c>contextual_evaluator_denied</c>: a contextual evaluator denied the call.</summary>
    ContextualEvaluatorDenied = 22,
    /// <summary><c>contextual_evaluator_escalated</c>: a contextual evaluator asked for human review.</summary>
    ContextualEvaluatorEscalated = 23,
    /// <summary><c>circuit_open</c> (.NET addition): the circuit breaker for the hop or tool is open.</summary>
    CircuitOpen = 24,
    /// <summary>
    /// <c>malformed_input</c> (.NET addition): the call's input cannot be expressed as canonical JSON (RFC 8785) — a
    /// duplicate member, a number outside double range — so it cannot be hashed for its audit record.
    /// </summary>
    MalformedInput = 25,
    /// <summary>
    /// <c>unintercepted_call</c> (.NET addition): a hop's body was entered without a decision by a generated
    /// interceptor (reflection, <c>dynamic</c>, a delegate, an assembly built without the generator) and its
    /// <c>HopGuard.Enter()</c> decided the call instead.
    /// </summary>
    UninterceptedCall = 26,
}

using System.Collections.Frozen;

namespace Sec0.Policy;

/// <summary>
/// The reason vocabulary of <c>enforcement.deny_on</c> and <c>enforcement.escalate_on</c>, in one place: the
/// names from Sec0's policy schema (DESIGN.md section 6) plus <see cref="CircuitOpen"/>, <see cref="MalformedInput"/>
/// and <see cref="UninterceptedCall"/>, which this SDK adds. Names are matched exactly (they are lowercase snake_case).
/// </summary>
public static class PolicyReasons
{
    /// <summary>The audit envelope for the call cannot be signed.</summary>
    public const string MissingAuditSignature = "missing_audit_signature";
    /// <summary>The tool or its version is not allowed.</summary>
    public const string ToolNotInAllowlist = "tool_not_in_allowlist";
    /// <summary>The tool ref has no exact version.</summary>
    public const string VersionUnpinned = "version_unpinned";
    /// <summary>A side-effecting call has no idempotency key.</summary>
    public const string MissingIdempotencyForSideEffect = "missing_idempotency_for_side_effect";
    /// <summary>The outbound URL is not allowed.</summary>
    public const string EgressViolation = "egress_violation";
    /// <summary>The file path is not allowed.</summary>
    public const string FsViolation = "fs_violation";
    /// <summary>The arguments are too large.</summary>
    public const string PayloadTooLarge = "payload_too_large";
    /// <summary>The expected duration is too long.</summary>
    public const string DurationTooLong = "duration_too_long";
    /// <summary>The tool registry changed after it was frozen.</summary>
    public const string RegistryMutation = "registry_mutation";
    /// <summary>A tool handler was replaced.</summary>
    public const string HandlerSwap = "handler_swap";
    /// <summary>The server's code changed.</summary>
    public const string ServerCodeChanged = "server_code_changed";
    /// <summary>The tool's code changed.</summary>
    public const string ToolCodeChanged = "tool_code_changed";
    /// <summary>A skill's version changed.</summary>
    public const string SkillVersionChanged = "skill_version_changed";
    /// <summary>A skill's code changed.</summary>
    public const string SkillCodeChanged = "skill_code_changed";
    /// <summary>A skill's scan is pending.</summary>
    public const string SkillScanPending = "skill_scan_pending";
    /// <summary>A skill's scan failed.</summary>
    public const string SkillScanFailed = "skill_scan_failed";
    /// <summary>The SAST verdict is pending.</summary>
    public const string SastPending = "sast_pending";
    /// <summary>The SAST verdict is a failure.</summary>
    public const string SastFailed = "sast_failed";
    /// <summary>The DAST verdict is pending.</summary>
    public const string DastPending = "dast_pending";
    /// <summary>The DAST verdict is a failure.</summary>
    public const string DastFailed = "dast_failed";
    /// <summary>The agent guard flagged the call.</summary>
    public const string AgentGuardFailed = "agent_guard_failed";
    /// <summary>A contextual evaluator denied the call.</summary>
    public const string ContextualEvaluatorDenied = "contextual_evaluator_denied";
    /// <summary>A contextual evaluator asked for human review.</summary>
    public const string ContextualEvaluatorEscalated = "contextual_evaluator_escalated";
    /// <summary>
    /// The circuit breaker is open (.NET addition). Unlike the other reasons it denies whenever
    /// <c>enforcement.circuit_breakers</c> is configured, whatever <c>deny_on</c> says, and is never escalated.
    /// </summary>
    public const string CircuitOpen = "circuit_open";
    /// <summary>
    /// The call's input cannot be expressed as canonical JSON (.NET addition): a duplicate member, a number outside
    /// double range. Such an input has no <c>input_sha256</c>, so the call is denied in every mode, whatever
    /// <c>deny_on</c> says, and is never escalated.
    /// </summary>
    public const string MalformedInput = "malformed_input";

    /// <summary>
    /// A hop's body was entered without a decision by its generated interceptor (reflection, <c>dynamic</c>, a
    /// delegate, an assembly built without the Sec0 generator), and its <c>HopGuard.Enter()</c> decided the
    /// call (.NET addition). List it in <c>deny_on</c> to fail such calls closed.
    /// </summary>
    public const string UninterceptedCall = "unintercepted_call";

    private static readonly string[] s_names =
    [
        string.Empty,
        MissingAuditSignature, ToolNotInAllowlist, VersionUnpinned, MissingIdempotencyForSideEffect, EgressViolation,
        FsViolation, PayloadTooLarge, DurationTooLong, RegistryMutation, HandlerSwap, ServerCodeChanged, ToolCodeChanged,
        SkillVersionChanged, SkillCodeChanged, SkillScanPending, SkillScanFailed, SastPending, SastFailed, DastPending,
        DastFailed, AgentGuardFailed, ContextualEvaluatorDenied, ContextualEvaluatorEscalated, CircuitOpen,
        MalformedInput,
        UninterceptedCall,
    ];

    private static readonly FrozenDictionary<string, PolicyReason> s_byName =
        Enumerable.Range(1, s_names.Length - 1).ToFrozenDictionary(index => s_names[index], index => (PolicyReason)index, StringComparer.Ordinal);

    /// <summary>Every reason name, in the documented order.</summary>
    public static IReadOnlyList<string> All { get; } = Array.AsReadOnly(s_names[1..]);

    /// <summary>The highest <see cref="PolicyReason"/> value.</summary>
    internal const PolicyReason MaxReason = PolicyReason.UninterceptedCall;

    /// <summary>The YAML name of <paramref name="reason"/>; an empty string for <see cref="PolicyReason.None"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined reason.</exception>
    public static string GetName(PolicyReason reason)
    {
        var index = (int)reason;
        if ((uint)index >= (uint)s_names.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(reason), reason, "Not a defined policy reason.");
        }

        return s_names[index];
    }

    /// <summary>Finds the reason with the YAML name <paramref name="name"/> (exact match).</summary>
    public static bool TryParse(string? name, out PolicyReason reason)
    {
        if (name is not null && s_byName.TryGetValue(name, out reason))
        {
            return true;
        }

        reason = PolicyReason.None;
        return false;
    }
}

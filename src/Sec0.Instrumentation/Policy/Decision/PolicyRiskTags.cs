namespace Sec0.Policy;

/// <summary>
/// The risk tags of a decision (the envelope's <c>risk_tags</c>), as flags so a decision carries them
/// without allocating; <see cref="Decision.GetRiskTagNames"/> gives the names.
/// </summary>
[Flags]
public enum PolicyRiskTags
{
    /// <summary>No tag.</summary>
    None = 0,
    /// <summary><c>integrity</c>: code, handlers or the registry changed, or the record cannot be signed.</summary>
    Integrity = 1 << 0,
    /// <summary><c>supply_chain</c>: the tool or version is not the one allowed or pinned.</summary>
    SupplyChain = 1 << 1,
    /// <summary><c>unscanned_code</c>: a scan verdict is still pending.</summary>
    UnscannedCode = 1 << 2,
    /// <summary><c>known_vulnerability</c>: a scan failed (or errored, counted as failed).</summary>
    KnownVulnerability = 1 << 3,
    /// <summary><c>exfiltration</c>: network or file access outside the allowlists.</summary>
    Exfiltration = 1 << 4,
    /// <summary><c>resource_abuse</c>: payload or duration beyond the limits.</summary>
    ResourceAbuse = 1 << 5,
    /// <summary><c>side_effect</c>: the call changes something outside the process.</summary>
    SideEffect = 1 << 6,
    /// <summary><c>agent_behavior</c>: the agent guard or a contextual evaluator objected.</summary>
    AgentBehavior = 1 << 7,
    /// <summary><c>availability</c>: the hop's or tool's circuit breaker is open.</summary>
    Availability = 1 << 8,
    /// <summary><c>audit_gap</c>: the call would leave no signed record.</summary>
    AuditGap = 1 << 9,
}

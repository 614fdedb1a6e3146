namespace Sec0.Approvals;

/// <summary>What an escalated call asks reviewers to allow: the call, why it was stopped, and how it is decided.</summary>
public sealed record EscalationRequest
{
    /// <summary>The tenant of the call.</summary>
    public required string Tenant { get; init; }

    /// <summary>The tool ref (<c>mcp://server/tool@version</c>, or a hop's).</summary>
    public required string ToolRef { get; init; }

    /// <summary>The node that made the call (a hop's node id, an MCP client, a gateway caller); empty when unknown.</summary>
    public string NodeId { get; init; } = "";

    /// <summary>SHA-256 (hex) of the call's canonical arguments: an approval covers these arguments only.</summary>
    public required string ArgumentsSha256 { get; init; }

    /// <summary>The arguments as canonical JSON, shown to reviewers (cut to <see cref="Escalation.MaxArgumentsChars"/>); null when not shown.</summary>
    public string? Arguments { get; init; }

    /// <summary>The reason that escalated the call (<c>agent_guard_failed</c>, <c>tool_not_in_allowlist</c>, …).</summary>
    public required string Violation { get; init; }

    /// <summary>Every reason the decision found.</summary>
    public IReadOnlyList<string> Reasons { get; init; } = [];

    /// <summary>The decision's risk score.</summary>
    public double? RiskScore { get; init; }

    /// <summary>The decision's risk tags.</summary>
    public IReadOnlyList<string> RiskTags { get; init; } = [];

    /// <summary>Where the call was stopped: <c>decorator</c> (hop), <c>middleware</c> (MCP) or <c>gateway</c>.</summary>
    public string Layer { get; init; } = "decorator";

    /// <summary>The trace of the stopped call, to find it in the audit log.</summary>
    public string? TraceId { get; init; }

    /// <summary>How it is decided.</summary>
    public ApprovalRequirements Requirements { get; init; } = new();

    /// <summary>The escalation request of an escalated call, as the MCP middleware and the gateway make it.</summary>
    /// <param name="decision">The decision that escalated the call.</param>
    /// <param name="call">The call an approval will be bound to.</param>
    /// <param name="canonicalArguments">The call's arguments as canonical JSON (shown to reviewers).</param>
    /// <param name="layer">Where the call was stopped (<c>middleware</c>, <c>gateway</c>, <c>decorator</c>).</param>
    /// <param name="traceId">The stopped call's trace id.</param>
    /// <param name="policy">The policy's <c>human_escalation</c> block.</param>
    public static EscalationRequest For(Sec0.Policy.Decision decision, ApprovalBinding call, ReadOnlySpan<byte> canonicalArguments, string layer, string? traceId, Sec0.Policy.HumanEscalationPolicy? policy)
    {
        ArgumentNullException.ThrowIfNull(call);
        return new EscalationRequest
        {
            Tenant = call.Tenant,
            ToolRef = call.ToolRef,
            NodeId = call.NodeId,
            ArgumentsSha256 = call.ArgumentsSha256,
            Arguments = System.Text.Encoding.UTF8.GetString(canonicalArguments),
            Violation = decision.PrimaryReasonName,
            Reasons = decision.Violations.ToNames(),
            RiskScore = decision.RiskScore,
            RiskTags = decision.GetRiskTagNames(),
            Layer = layer,
            TraceId = traceId,
            Requirements = ApprovalRequirements.From(policy),
        };
    }
}

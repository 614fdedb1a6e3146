using System.Text.Json;

namespace Sec0.Audit.Tracing;

/// <summary>
/// The members of one audit line that a trace draws, read with <see cref="Utf8JsonReader"/> straight from the
/// line's bytes (no document). Reused line after line by the reader; nothing here is verified.
/// </summary>
internal sealed class AuditTraceLine
{
    public string? Record;
    public string? Op;
    public string? NodeType;

    // The run: top-level run_id, else agentVariables.<SCOPE>.run_id, else agentRef (a hop's agentRef is its run id).
    public string? RunId;
    public string? AgentRef;
    public string? VariablesRunId;

    public string? Timestamp;
    public string? TraceId;
    public string? SpanId;
    public string? CauseTraceId;
    public string? CauseSpanId;

    public string? Hop;
    public string? Agent;
    public string? AgentOrchestrator;
    public string? Gateway;
    public string? Middleware;
    public string? Skill;
    public string? Server;
    public string? Tool;
    public string? ToolRef;
    public string? TargetToolRef;
    public string? NodeId;

    public string? Decision;

    // A top-level decision: only used when the line has no policy.decision.
    public string? TopLevelDecision;
    public string? PolicyReason;
    public string? DecisionReason;
    public string? DenialReason;

    // risk_tags[0]: the reason of a denial whose line names no other (Sec0's TypeScript middleware writes none).
    public string? FirstRiskTag;
    public string? Status;
    public double? LatencyMs;
    public string? EscalationId;
    public string? EscalationStatus;
    public string? EscalationError;

    /// <summary>The run id the line names itself, if any.</summary>
    public string? OwnRunId => RunId ?? VariablesRunId ?? AgentRef;

    /// <summary>
    /// A line the appender writes about the log itself (<c>record</c>), or an approvals step (<c>op: approval.*</c>),
    /// rather than a call.
    /// </summary>
    public bool IsCall => Record is null && !IsApprovalStep;

    /// <summary>An approvals step: its <c>escalation_status</c> is the escalation's status at that time.</summary>
    public bool IsApprovalStep => NodeType == "approvals" || (Op is not null && Op.StartsWith("approval.", StringComparison.Ordinal));

    public void Clear()
    {
        Record = Op = NodeType = RunId = AgentRef = VariablesRunId = null;
        Timestamp = TraceId = SpanId = CauseTraceId = CauseSpanId = null;
        Hop = Agent = AgentOrchestrator = Gateway = Middleware = Skill = Server = Tool = ToolRef = TargetToolRef = NodeId = null;
        Decision = TopLevelDecision = PolicyReason = DecisionReason = DenialReason = FirstRiskTag = Status = null;
        LatencyMs = null;
        EscalationId = EscalationStatus = EscalationError = null;
    }
}

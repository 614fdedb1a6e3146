namespace Sec0.Audit.Tracing;

/// <summary>
/// One call of a run, as its audit line records it: what was called, what policy decided, how it ended and how
/// long it took, with the calls it made as <see cref="Children"/>. Values are the log's own text, unverified and
/// unescaped: whoever names a tool controls them, so renderers escape them for their medium.
/// </summary>
public sealed class AuditRunNode
{
    internal readonly List<AuditRunNode> ChildList = [];

    internal AuditRunNode(AuditTraceLine line, string file, long lineNumber, long order)
    {
        Kind = line.NodeType ?? "call";
        HopKey = line.Hop;
        Op = line.Op;
        ToolRef = line.ToolRef;
        NodeId = line.NodeId;
        Name = NameOf(line) ?? "(unnamed)";
        Timestamp = line.Timestamp;
        StartedAt = AuditTraceText.ParseTime(line.Timestamp);
        TraceId = line.TraceId;
        SpanId = line.SpanId;
        CauseTraceId = line.CauseTraceId;
        CauseSpanId = line.CauseSpanId;
        Decision = line.Decision ?? line.TopLevelDecision;
        Reason = line.DenialReason ?? line.DecisionReason ?? line.PolicyReason ?? line.FirstRiskTag;
        Status = line.Status;
        LatencyMs = line.LatencyMs;
        EscalationId = line.EscalationId;
        EscalationStatus = line.EscalationStatus;
        EscalationError = line.EscalationError;
        File = file;
        Line = lineNumber;
        Order = order;
    }

    /// <summary><c>node_type</c>: orchestrator, agent, tool, gateway, server, middleware, skill; <c>call</c> when the line names none.</summary>
    public string Kind { get; }

    /// <summary>
    /// What was called: an agent's or orchestrator's <c>name@version</c>, the MCP tool a middleware guarded, else
    /// the <c>tool_ref</c> (<c>mcp://server/tool@version</c>, <c>payments transfer</c>), else the tool or hop key.
    /// </summary>
    public string Name { get; }

    /// <summary><c>hop</c>: the hop key of a <c>[Sec0Hop]</c> call (<c>TypeName.MethodName</c>), if any.</summary>
    public string? HopKey { get; }

    /// <summary><c>op</c>: e.g. <c>tools/call</c>, <c>tools/list</c>, <c>registry.add</c>, if any.</summary>
    public string? Op { get; }

    /// <summary><c>tool_ref</c>, if any.</summary>
    public string? ToolRef { get; }

    /// <summary><c>nodeId</c>, if any.</summary>
    public string? NodeId { get; }

    /// <summary><c>ts</c> as written: when the call started.</summary>
    public string? Timestamp { get; }

    /// <summary><c>ts</c> read as a time; null when it is missing or not ISO-8601.</summary>
    public DateTimeOffset? StartedAt { get; }

    /// <summary><c>trace_id</c>.</summary>
    public string? TraceId { get; }

    /// <summary><c>span_id</c>: the id its callees name as their cause.</summary>
    public string? SpanId { get; }

    /// <summary><c>cause_trace_id</c>: the trace of the caller.</summary>
    public string? CauseTraceId { get; }

    /// <summary><c>cause_span_id</c>: the span of the caller (the parent node when the caller is in the log).</summary>
    public string? CauseSpanId { get; }

    /// <summary><c>policy.decision</c>: allow, deny, would_deny or escalate.</summary>
    public string? Decision { get; }

    /// <summary>Why: <c>denial_reason</c>, else <c>decision_reason</c>, else <c>policy.reason</c>, else the first of <c>risk_tags</c>.</summary>
    public string? Reason { get; }

    /// <summary><c>status</c>: ok or error.</summary>
    public string? Status { get; }

    /// <summary><c>latency_ms</c>.</summary>
    public double? LatencyMs { get; }

    /// <summary><c>escalation_id</c>: the escalation this call raised or was approved by.</summary>
    public string? EscalationId { get; }

    /// <summary><c>escalation_status</c> when the call was recorded (typically <c>pending</c> for a refused call).</summary>
    public string? EscalationStatus { get; }

    /// <summary>
    /// The escalation's status in the newest approvals step of the log that names it (<c>op: approval.*</c>), when it
    /// differs from <see cref="EscalationStatus"/>: e.g. <c>approved</c> after the call was refused as <c>pending</c>.
    /// </summary>
    public string? EscalationLatestStatus { get; internal set; }

    /// <summary><c>escalation_error</c>: why no escalation could be raised, if one should have been.</summary>
    public string? EscalationError { get; }

    /// <summary>Policy refused the call (<c>deny</c>, or a denial reason without another decision); its body did not run.</summary>
    public bool IsDenied => Decision == "deny" || (Decision is null && Reason is not null && Status == "error");

    /// <summary>The call was escalated for human approval, or ran on an approval (it names an escalation).</summary>
    public bool IsEscalated => Decision == "escalate" || EscalationId is not null || EscalationError is not null;

    /// <summary>Observe mode: policy would have denied the call, and let it run.</summary>
    public bool WouldDeny => Decision == "would_deny";

    /// <summary>
    /// Why this node hangs directly under its run although it names a caller (<see cref="CauseSpanId"/>): the caller's
    /// line is not in the log (another service's log, a deleted or unreadable line), or the chain of callers is broken.
    /// Null for a node drawn under its caller, and for a run's own first calls.
    /// </summary>
    public string? DetachedReason { get; internal set; }

    /// <summary>The calls this one made, in the order they started.</summary>
    public IReadOnlyList<AuditRunNode> Children => ChildList;

    /// <summary>The audit file holding the line (its name).</summary>
    public string File { get; }

    /// <summary>The 1-based line number in <see cref="File"/>.</summary>
    public long Line { get; }

    // Where the line is in the log (file index, then line): the tie-break after the start time.
    internal long Order { get; }

    internal AuditRunNode? Parent { get; set; }

    internal int Mark { get; set; }

    private static string? NameOf(AuditTraceLine line) => line.NodeType switch
    {
        "agent" => line.Agent ?? line.Tool ?? line.ToolRef,
        "orchestrator" => line.AgentOrchestrator ?? line.Tool ?? line.ToolRef,
        "middleware" => line.TargetToolRef ?? line.ToolRef ?? line.Middleware,
        "skill" => line.Skill ?? line.ToolRef ?? line.Tool,
        "gateway" => line.ToolRef ?? line.Gateway ?? line.Tool,
        _ => line.ToolRef ?? line.Tool ?? line.Server,
    } ?? line.Hop ?? line.NodeId;
}

using System.Text.Json.Nodes;

namespace Sec0.Audit;

/// <summary>
/// One audit record: what was called, by whom, what policy decided and how it ended. Property names map
/// to Sec0's snake_case envelope fields (given in each summary) so existing Sec0 tooling reads the logs.
/// Unset (null) fields are left out of the line, except <c>input_sha256</c>, <c>output_sha256</c> and
/// <c>idempotency_key</c>, written as JSON <c>null</c> as Sec0's TypeScript SDK writes them; <c>retries</c>
/// defaults to 0 and <c>policy.retention</c> to the policy's <c>default_retention</c> or <c>standard</c>. The appender fills in <c>v</c>, <c>seq</c>,
/// <c>prev</c>, <c>key_id</c> and <c>sig</c>; the caller must not reuse an envelope after appending it.
/// </summary>
public sealed class AuditEnvelope
{
    /// <summary><c>ts</c>: when the call started (UTC, written with millisecond precision). Default: the time of append.</summary>
    public DateTimeOffset Timestamp { get; set; }

    /// <summary><c>trace_id</c>: the W3C trace id (32 lowercase hex).</summary>
    public string? TraceId { get; set; }

    /// <summary><c>span_id</c>: the W3C span id (16 lowercase hex).</summary>
    public string? SpanId { get; set; }

    /// <summary><c>cause_trace_id</c>: the trace that caused this call, when it crossed a boundary.</summary>
    public string? CauseTraceId { get; set; }

    /// <summary><c>cause_span_id</c>: the span that caused this call.</summary>
    public string? CauseSpanId { get; set; }

    /// <summary><c>tenant</c>.</summary>
    public string? Tenant { get; set; }

    /// <summary><c>environment</c>: dev, staging or prod.</summary>
    public string? Environment { get; set; }

    /// <summary><c>client_name</c>.</summary>
    public string? ClientName { get; set; }

    /// <summary><c>client_version</c>.</summary>
    public string? ClientVersion { get; set; }

    /// <summary><c>node_type</c>: agent, orchestrator, gateway, server, middleware, tool or skill.</summary>
    public string? NodeType { get; set; }

    /// <summary><c>server</c>.</summary>
    public string? Server { get; set; }

    /// <summary><c>tool</c>.</summary>
    public string? Tool { get; set; }

    /// <summary><c>tool_ref</c>, e.g. <c>mcp://server/tool@1.0.0</c>, or for a hop <c>sec0-agent order-agent@1.0.0</c>.</summary>
    public string? ToolRef { get; set; }

    /// <summary><c>hop</c>: the hop key (<c>TypeName.MethodName</c> or the key given in <c>[Sec0Hop]</c>) of a hop's envelope.</summary>
    public string? HopKey { get; set; }

    /// <summary><c>agent</c>: an agent hop's <c>&lt;agentName&gt;@&lt;agentVersion&gt;</c>.</summary>
    public string? Agent { get; set; }

    /// <summary><c>agent_orchestrator</c>: an orchestrator hop's <c>&lt;orchestratorName&gt;@&lt;orchestratorVersion&gt;</c>.</summary>
    public string? AgentOrchestrator { get; set; }

    /// <summary><c>middleware</c>: a middleware hop's middleware name.</summary>
    public string? Middleware { get; set; }

    /// <summary><c>skill</c>: a skill hop's skill name.</summary>
    public string? Skill { get; set; }

    /// <summary><c>target_server</c>: MCP calls, the called server as <c>&lt;name&gt;@&lt;version&gt;</c>.</summary>
    public string? TargetServer { get; set; }

    /// <summary><c>target_tool</c>: MCP calls, the called tool's name.</summary>
    public string? TargetTool { get; set; }

    /// <summary>
    /// <c>target_tool_ref</c>: MCP calls, <c>&lt;target_server&gt; &lt;target_tool&gt;</c>. When null and both
    /// parts are set, the writer writes it from them (no string per call).
    /// </summary>
    public string? TargetToolRef { get; set; }

    /// <summary><c>op</c>.</summary>
    public string? Op { get; set; }

    /// <summary><c>status</c>: ok or error.</summary>
    public string? Status { get; set; }

    /// <summary><c>latency_ms</c>.</summary>
    public double? LatencyMs
    {
        get => Get(_latencyMs, Present.LatencyMs);
        set => Set(ref _latencyMs, value, Present.LatencyMs);
    }

    /// <summary><c>retries</c>: how often the call was retried; written as 0 when null (Sec0 does not retry calls).</summary>
    public int? Retries
    {
        get => Get(_retries, Present.Retries);
        set => Set(ref _retries, value, Present.Retries);
    }

    /// <summary><c>input_sha256</c>: SHA-256 hex of the canonical input; written as <c>null</c> when there is none.</summary>
    public string? InputSha256
    {
        get => Digest(ref _input);
        set => _input = value;
    }

    /// <summary><c>output_sha256</c>: SHA-256 hex of the canonical output; written as <c>null</c> when there is none.</summary>
    public string? OutputSha256
    {
        get => Digest(ref _output);
        set => _output = value;
    }

    // The hex hash, or the canonical bytes it is computed from when first read, which is on the audit
    // writer's thread: an instrumented call hands its bytes over instead of hashing them itself.
    private object? _input;
    private object? _output;

    // Larger inputs are hashed at once: a queue full of envelopes must not hold whole payloads.
    private const int MaxDeferredHashBytes = 4096;

    /// <summary>Sets <see cref="InputSha256"/> to the hash of <paramref name="canonical"/>, computed when first read.</summary>
    internal void SetInputToHash(byte[] canonical) => _input = canonical.Length <= MaxDeferredHashBytes ? canonical : Sha256Hex.Of(canonical);

    /// <summary>Sets <see cref="OutputSha256"/> to the hash of <paramref name="canonical"/>, computed when first read.</summary>
    internal void SetOutputToHash(byte[] canonical) => _output = canonical.Length <= MaxDeferredHashBytes ? canonical : Sha256Hex.Of(canonical);

    private static string? Digest(ref object? field)
    {
        var value = field;
        if (value is not byte[] bytes)
        {
            return (string?)value;
        }

        var hex = Sha256Hex.Of(bytes);
        field = hex;
        return hex;
    }

    /// <summary>
    /// <c>policy</c>: the decision, retention and reason. A record without a retention is written with the
    /// policy's <c>default_retention</c> when it sets one, else <c>standard</c>.
    /// </summary>
    public AuditPolicyRecord? Policy { get; set; }

    /// <summary>
    /// <c>policy_hash</c>: the SHA-256 of the control-plane policy that decided the call, as Sec0's TypeScript SDK writes it;
    /// null (not written) for a policy file or no policy.
    /// </summary>
    public string? PolicyHash { get; set; }

    /// <summary><c>denial_reason</c>.</summary>
    public string? DenialReason { get; set; }

    /// <summary><c>denial_level</c>: decorator, middleware or gateway.</summary>
    public string? DenialLevel { get; set; }

    /// <summary><c>denial_type</c>.</summary>
    public string? DenialType { get; set; }

    /// <summary><c>decision_reason</c>.</summary>
    public string? DecisionReason { get; set; }

    /// <summary>
    /// <c>decision_source</c> (.NET): which engine decided, <c>local</c>, <c>remote</c>, <c>fallback-local</c>,
    /// <c>fallback-allow</c> or <c>fallback-deny</c>; written only when remote decisions are configured.
    /// </summary>
    public string? DecisionSource { get; set; }

    /// <summary><c>risk_tags</c>: the violated reasons, by their <c>deny_on</c> names (e.g. <c>tool_not_in_allowlist</c>).</summary>
    public IReadOnlyList<string>? RiskTags { get; set; }

    /// <summary><c>risk_score</c>: 0 to 100, 25 per violated reason (as Sec0's TypeScript SDK scores).</summary>
    public double? RiskScore
    {
        get => Get(_riskScore, Present.RiskScore);
        set => Set(ref _riskScore, value, Present.RiskScore);
    }

    /// <summary><c>risk_categories</c>: the risk categories of the violations (e.g. <c>supply_chain</c>, <c>side_effect</c>).</summary>
    public IReadOnlyList<string>? RiskCategories { get; set; }

    /// <summary><c>risk_probability</c>: the weighted risk in [0, 1], 1 - Π(1 - weight) over the violated reasons (docs/policy.md).</summary>
    public double? RiskProbability
    {
        get => Get(_riskProbability, Present.RiskProbability);
        set => Set(ref _riskProbability, value, Present.RiskProbability);
    }

    /// <summary><c>idempotency_key</c>; written as <c>null</c> when there is none.</summary>
    public string? IdempotencyKey { get; set; }

    /// <summary><c>nodeId</c>.</summary>
    public string? NodeId { get; set; }

    /// <summary><c>agentRef</c>: the run id. For a hop, when null, the writer writes the run's id (32 hex).</summary>
    public string? AgentRef { get; set; }

    /// <summary><c>escalation_id</c>.</summary>
    public string? EscalationId { get; set; }

    /// <summary><c>escalation_status</c>.</summary>
    public string? EscalationStatus { get; set; }

    /// <summary><c>escalation_error</c>.</summary>
    public string? EscalationError { get; set; }

    /// <summary>
    /// An approvals step (<c>op: approval.*</c>): <c>{event, user, role, decision, note, counted, resolution, refusal, votes}</c>,
    /// the fields that apply (docs/approvals.md). Null on tool calls.
    /// </summary>
    public JsonNode? Approval { get; set; }

    /// <summary><c>sast_status</c>: pending, pass, fail or error.</summary>
    public string? SastStatus { get; set; }

    /// <summary><c>sast_findings</c>: the findings as JSON.</summary>
    public JsonNode? SastFindings { get; set; }

    /// <summary><c>sast_scan_id</c>.</summary>
    public string? SastScanId { get; set; }

    /// <summary><c>dast_status</c>: pending, pass, fail or error.</summary>
    public string? DastStatus { get; set; }

    /// <summary><c>dast_findings</c>: the findings as JSON.</summary>
    public JsonNode? DastFindings { get; set; }

    /// <summary><c>dast_scan_id</c>.</summary>
    public string? DastScanId { get; set; }

    /// <summary><c>registry_frozen</c>.</summary>
    public bool? RegistryFrozen { get; set; }

    /// <summary><c>server_snapshot</c>: JSON describing the server at the time of the call.</summary>
    public JsonNode? ServerSnapshot { get; set; }

    /// <summary>
    /// Sets <see cref="ServerSnapshot"/> to a node shared by many envelopes (never mutated after it is shared)
    /// together with its canonical bytes, so the writer does not canonicalize the same node for every envelope.
    /// The bytes are used only while <see cref="ServerSnapshot"/> is still that node.
    /// </summary>
    internal void SetSharedServerSnapshot(JsonNode snapshot, byte[] canonical)
    {
        ServerSnapshot = snapshot;
        _sharedSnapshot = snapshot;
        _sharedSnapshotCanonical = canonical;
    }

    /// <summary>The canonical bytes of <see cref="ServerSnapshot"/> when it is the shared node they were made from.</summary>
    internal byte[]? ServerSnapshotCanonical =>
        _sharedSnapshotCanonical is not null && ReferenceEquals(ServerSnapshot, _sharedSnapshot) ? _sharedSnapshotCanonical : null;

    private JsonNode? _sharedSnapshot;
    private byte[]? _sharedSnapshotCanonical;

    /// <summary><c>hop_hash</c>: the compile-time body hash of the hop or tool.</summary>
    public string? HopHash { get; set; }

    /// <summary><c>gateway</c>: the gateway that handled the request, <c>name@version</c> (gateway envelopes).</summary>
    public string? Gateway { get; set; }

    /// <summary><c>http_status</c>: the HTTP status the gateway answered with (gateway envelopes).</summary>
    public int? HttpStatus
    {
        get => Get(_httpStatus, Present.HttpStatus);
        set => Set(ref _httpStatus, value, Present.HttpStatus);
    }

    /// <summary><c>user</c>: the caller's user, from its verified credential (a hash of it when identities are redacted).</summary>
    public string? User { get; set; }

    // Written values kept unformatted, so an instrumented call doesn't allocate their strings; the writer formats them.
    // trace_id/span_id and cause_trace_id/cause_span_id when the matching string property is null.
    internal Sec0.Hops.TraceIds Ids;
    internal Sec0.Hops.TraceIds CauseIds;

    // A hop's run: agentRef (when AgentRef is null) and agentVariables' run_id.
    internal Guid RunId;

    // policy.retention when the record names none: the policy's default_retention, if it sets one.
    internal string? DefaultRetention;

    // The optional numbers without Nullable<T>'s padding, which took a second word for each double: which ones are set
    // is one byte. 24 bytes less per envelope, which pays for the hop call's frame (HopFrame) beside its envelope.
    private double _latencyMs;
    private double _riskScore;
    private double _riskProbability;
    private int _retries;
    private int _httpStatus;
    private Present _present;

    private T? Get<T>(T value, Present member)
        where T : struct
        => (_present & member) != 0 ? value : null;

    private void Set<T>(ref T field, T? value, Present member)
        where T : struct
    {
        field = value.GetValueOrDefault();
        _present = value.HasValue ? _present | member : _present & ~member;
    }

    [Flags]
    private enum Present : byte
    {
        LatencyMs = 1,
        Retries = 2,
        RiskScore = 4,
        RiskProbability = 8,
        HttpStatus = 16,
    }
}

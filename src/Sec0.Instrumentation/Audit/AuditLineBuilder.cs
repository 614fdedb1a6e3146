using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sec0.Signing;
using Sec0.Telemetry;

namespace Sec0.Audit;

/// <summary>
/// Turns envelopes into signed, chained NDJSON lines: the one place that writes the audit format.
/// A line is the RFC 8785 canonical JSON of the record including <c>sig</c>; <c>sig</c> signs the
/// canonical JSON of the record without <c>sig</c>; <c>prev</c> is the SHA-256 hex of the previous
/// line's bytes. Not thread-safe: owned by the appender's writer.
/// </summary>
internal sealed class AuditLineBuilder
{
    /// <summary>The format version written as <c>v</c>.</summary>
    public const int FormatVersion = 1;

    /// <summary><c>policy.retention</c> when neither the record nor the policy names one, as Sec0's TypeScript hops write it.</summary>
    public const string StandardRetention = "standard";

    // ts: ISO-8601 UTC with milliseconds, as JavaScript's toISOString writes it.
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    private readonly AuditSigner _signer;
    private readonly byte[] _keyIdJson;
    private readonly byte[] _sigPrefix;
    private readonly ByteBuffer _unsigned = new(2048);
    private readonly ByteBuffer _line = new(2048);
    private readonly byte[] _signature;
    private readonly byte[] _prevHex = new byte[64];
    private readonly byte[] _hash = new byte[32];

    public AuditLineBuilder(AuditSigner signer, AuditChain chain)
    {
        _signer = signer;
        var keyId = new ByteBuffer(128);
        JsonCanonicalizer.WriteString(signer.KeyId, keyId);
        _keyIdJson = keyId.WrittenSpan.ToArray();
        _sigPrefix = Encoding.ASCII.GetBytes(",\"sig\":\"" + signer.Algorithm + ":");
        _signature = new byte[signer.SignatureSize];
        Seq = chain.Seq;
        Encoding.ASCII.GetBytes(chain.PrevHash, _prevHex);
    }

    /// <summary>The sequence number of the last line built.</summary>
    public long Seq { get; private set; }

    /// <summary>The SHA-256 hex of the last line built (the next line's <c>prev</c>).</summary>
    public string PrevHash => Encoding.ASCII.GetString(_prevHex);

    /// <summary><see cref="PrevHash"/> as ASCII bytes, without a string.</summary>
    public ReadOnlySpan<byte> PrevHashHex => _prevHex;

    /// <summary>Builds the next line for <paramref name="e"/>; the span is valid until the next call.</summary>
    public ReadOnlySpan<byte> BuildEnvelope(AuditEnvelope e, bool sign)
    {
        var b = _unsigned;
        b.Clear();
        var seq = Seq + 1;
        var first = true;
        int sigOffset;

        b.WriteByte((byte)'{');
        Str(b, ref first, "agent"u8, e.Agent);
        if (e.AgentRef is null && e.RunId != Guid.Empty)
        {
            // agentRef of a hop call: the run id, as Sec0's TypeScript SDK writes it; formatted here rather than on the caller's thread.
            Key(b, ref first, "agentRef"u8);
            Span<char> run = stackalloc char[32];
            e.RunId.TryFormat(run, out _, "N");
            JsonCanonicalizer.WriteString(run, b);
        }
        else
        {
            Str(b, ref first, "agentRef"u8, e.AgentRef);
        }

        AgentVariables(b, ref first, e);
        Str(b, ref first, "agent_orchestrator"u8, e.AgentOrchestrator);
        Node(b, ref first, "approval"u8, e.Approval);
        Id(b, ref first, "cause_span_id"u8, e.CauseSpanId, e.CauseIds, trace: false);
        Id(b, ref first, "cause_trace_id"u8, e.CauseTraceId, e.CauseIds, trace: true);
        Str(b, ref first, "client_name"u8, e.ClientName);
        Str(b, ref first, "client_version"u8, e.ClientVersion);
        Node(b, ref first, "dast_findings"u8, e.DastFindings);
        Str(b, ref first, "dast_scan_id"u8, e.DastScanId);
        Str(b, ref first, "dast_status"u8, e.DastStatus);
        Str(b, ref first, "decision_reason"u8, e.DecisionReason);
        Str(b, ref first, "decision_source"u8, e.DecisionSource);
        Str(b, ref first, "denial_level"u8, e.DenialLevel);
        Str(b, ref first, "denial_reason"u8, e.DenialReason);
        Str(b, ref first, "denial_type"u8, e.DenialType);
        Str(b, ref first, "environment"u8, e.Environment);
        Str(b, ref first, "escalation_error"u8, e.EscalationError);
        Str(b, ref first, "escalation_id"u8, e.EscalationId);
        Str(b, ref first, "escalation_status"u8, e.EscalationStatus);
        Str(b, ref first, "gateway"u8, e.Gateway);
        Str(b, ref first, "hop"u8, e.HopKey);
        Str(b, ref first, "hop_hash"u8, e.HopHash);
        if (e.HttpStatus is { } httpStatus)
        {
            Key(b, ref first, "http_status"u8);
            JsonCanonicalizer.WriteInteger(httpStatus, b);
        }

        // Present as null when absent, as Sec0's TypeScript SDK writes them: tools that index them find the member.
        StrOrNull(b, ref first, "idempotency_key"u8, e.IdempotencyKey);
        StrOrNull(b, ref first, "input_sha256"u8, e.InputSha256);
        Key(b, ref first, "key_id"u8);
        b.Write(_keyIdJson);
        Num(b, ref first, "latency_ms"u8, e.LatencyMs);
        Str(b, ref first, "middleware"u8, e.Middleware);
        Str(b, ref first, "nodeId"u8, e.NodeId);
        Str(b, ref first, "node_type"u8, e.NodeType);
        Str(b, ref first, "op"u8, e.Op);
        StrOrNull(b, ref first, "output_sha256"u8, e.OutputSha256);
        if (e.Policy is { } policy)
        {
            Key(b, ref first, "policy"u8);
            var inner = true;
            b.WriteByte((byte)'{');
            Str(b, ref inner, "decision"u8, policy.Decision);
            Str(b, ref inner, "reason"u8, policy.Reason);
            Str(b, ref inner, "retention"u8, policy.Retention ?? e.DefaultRetention ?? StandardRetention);
            b.WriteByte((byte)'}');
        }

        Str(b, ref first, "policy_hash"u8, e.PolicyHash);

        Key(b, ref first, "prev"u8);
        b.WriteByte((byte)'"');
        b.Write(_prevHex);
        b.WriteByte((byte)'"');
        if (e.RegistryFrozen is { } frozen)
        {
            Key(b, ref first, "registry_frozen"u8);
            b.Write(frozen ? "true"u8 : "false"u8);
        }

        Key(b, ref first, "retries"u8);
        JsonCanonicalizer.WriteInteger(e.Retries ?? 0, b);
        Strings(b, ref first, "risk_categories"u8, e.RiskCategories);
        Num(b, ref first, "risk_probability"u8, e.RiskProbability);
        Num(b, ref first, "risk_score"u8, e.RiskScore);
        Strings(b, ref first, "risk_tags"u8, e.RiskTags);

        Node(b, ref first, "sast_findings"u8, e.SastFindings);
        Str(b, ref first, "sast_scan_id"u8, e.SastScanId);
        Str(b, ref first, "sast_status"u8, e.SastStatus);
        Key(b, ref first, "seq"u8);
        JsonCanonicalizer.WriteInteger(seq, b);
        Str(b, ref first, "server"u8, e.Server);
        if (e.ServerSnapshotCanonical is { } snapshot)
        {
            Key(b, ref first, "server_snapshot"u8);
            b.Write(snapshot);
        }
        else
        {
            Node(b, ref first, "server_snapshot"u8, e.ServerSnapshot);
        }

        sigOffset = b.Count; // "sig" sorts here: after server_snapshot, before skill.
        Str(b, ref first, "skill"u8, e.Skill);
        Id(b, ref first, "span_id"u8, e.SpanId, e.Ids, trace: false);
        Str(b, ref first, "status"u8, e.Status);
        Str(b, ref first, "target_server"u8, e.TargetServer);
        Str(b, ref first, "target_tool"u8, e.TargetTool);
        TargetToolRef(b, ref first, e);
        Str(b, ref first, "tenant"u8, e.Tenant);
        Str(b, ref first, "tool"u8, e.Tool);
        Str(b, ref first, "tool_ref"u8, e.ToolRef);
        Id(b, ref first, "trace_id"u8, e.TraceId, e.Ids, trace: true);
        Key(b, ref first, "ts"u8);
        WriteTimestamp(b, e.Timestamp);
        Str(b, ref first, "user"u8, e.User);
        Key(b, ref first, "v"u8);
        JsonCanonicalizer.WriteInteger(FormatVersion, b);
        b.WriteByte((byte)'}');

        return Finish(seq, sign, sigOffset);
    }

    /// <summary>
    /// Builds a line the appender writes itself (<see cref="AuditRecordKinds"/>): <paramref name="fields"/>
    /// plus <c>record</c>, <c>v</c>, <c>seq</c>, <c>prev</c>, <c>key_id</c>, <c>ts</c>, always signed.
    /// </summary>
    public ReadOnlySpan<byte> BuildRecord(string kind, DateTimeOffset timestamp, JsonObject fields)
    {
        var seq = Seq + 1;
        fields["record"] = kind;
        fields["v"] = FormatVersion;
        fields["seq"] = seq;
        fields["prev"] = Encoding.ASCII.GetString(_prevHex);
        fields["key_id"] = _signer.KeyId;
        fields["ts"] = FormatTimestamp(timestamp);
        var json = Encoding.UTF8.GetBytes(fields.ToJsonString());
        _unsigned.Clear();
        JsonCanonicalizer.Canonicalize(json, _unsigned, excludeTopLevelMember: null);

        // ,"sig": belongs right before the first top-level member that sorts after "sig" (the comma
        // before that member's name), found by reading the canonical bytes, not by searching them.
        var offset = -1;
        var reader = new Utf8JsonReader(_unsigned.WrittenSpan);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1
                && string.CompareOrdinal(reader.GetString(), "sig") > 0)
            {
                offset = (int)reader.TokenStartIndex - 1;
                break;
            }
        }

        if (offset <= 1)
        {
            throw new InvalidOperationException("A record must have members before and after \"sig\".");
        }

        return Finish(seq, sign: true, offset);
    }

    private ReadOnlySpan<byte> Finish(long seq, bool sign, int sigOffset)
    {
        var unsigned = _unsigned.WrittenSpan;
        ReadOnlySpan<byte> line;
        if (sign)
        {
            var started = Sec0Metrics.SignTimingEnabled ? Stopwatch.GetTimestamp() : 0;
            var sigLength = _signer.Sign(unsigned, _signature);
            if (started != 0)
            {
                Sec0Metrics.RecordSign(started);
            }

            _line.Clear();
            _line.Write(unsigned[..sigOffset]);
            _line.Write(_sigPrefix);
            var span = _line.GetSpan(Base64.GetMaxEncodedToUtf8Length(sigLength) + 1);
            Base64.EncodeToUtf8(_signature.AsSpan(0, sigLength), span, out _, out var written);
            span[written++] = (byte)'"';
            _line.Advance(written);
            _line.Write(unsigned[sigOffset..]);
            line = _line.WrittenSpan;
        }
        else
        {
            line = unsigned;
        }

        Sha256Digest.Compute(line, _hash);
        for (var i = 0; i < _hash.Length; i++)
        {
            _prevHex[i * 2] = HexDigit(_hash[i] >> 4);
            _prevHex[(i * 2) + 1] = HexDigit(_hash[i] & 0xF);
        }

        Seq = seq;
        return line;
    }

    private static byte HexDigit(int value) => (byte)(value < 10 ? '0' + value : 'a' + value - 10);

    private static void Key(ByteBuffer b, ref bool first, ReadOnlySpan<byte> name)
    {
        var span = b.GetSpan(name.Length + 4);
        var n = 0;
        if (!first)
        {
            span[n++] = (byte)',';
        }

        first = false;
        span[n++] = (byte)'"';
        name.CopyTo(span[n..]);
        n += name.Length;
        span[n++] = (byte)'"';
        span[n++] = (byte)':';
        b.Advance(n);
    }

    private static void Str(ByteBuffer b, ref bool first, ReadOnlySpan<byte> name, string? value)
    {
        if (value is null)
        {
            return;
        }

        Key(b, ref first, name);
        JsonCanonicalizer.WriteString(value, b);
    }

    private static void StrOrNull(ByteBuffer b, ref bool first, ReadOnlySpan<byte> name, string? value)
    {
        Key(b, ref first, name);
        if (value is null)
        {
            b.Write("null"u8);
        }
        else
        {
            JsonCanonicalizer.WriteString(value, b);
        }
    }

    private static void Strings(ByteBuffer b, ref bool first, ReadOnlySpan<byte> name, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            return;
        }

        Key(b, ref first, name);
        b.WriteByte((byte)'[');
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                b.WriteByte((byte)',');
            }

            JsonCanonicalizer.WriteString(values[i], b);
        }

        b.WriteByte((byte)']');
    }

    private static void TargetToolRef(ByteBuffer b, ref bool first, AuditEnvelope e)
    {
        if (e.TargetToolRef is not null || e.TargetServer is not { } server || e.TargetTool is not { } tool)
        {
            Str(b, ref first, "target_tool_ref"u8, e.TargetToolRef);
            return;
        }

        // "<server> <tool>", Sec0's TypeScript form, composed here so the call does not allocate the string.
        Key(b, ref first, "target_tool_ref"u8);
        var length = server.Length + 1 + tool.Length;
        Span<char> chars = length <= 256 ? stackalloc char[length] : new char[length];
        server.CopyTo(chars);
        chars[server.Length] = ' ';
        tool.CopyTo(chars[(server.Length + 1)..]);
        JsonCanonicalizer.WriteString(chars, b);
    }

    /// <summary>
    /// <c>agentVariables</c> as Sec0's TypeScript SDK writes a hop's own signals, <c>{SCOPE: {...}}</c>: a hop's
    /// status and latency (and, below an agent, its run and node ids) under its node type's scope; a gateway
    /// request's gateway and status under <c>GATEWAY</c>. Members in canonical order.
    /// </summary>
    private static void AgentVariables(ByteBuffer b, ref bool first, AuditEnvelope e)
    {
        if (e.Status is not { } status)
        {
            return;
        }

        if (e.RunId == Guid.Empty)
        {
            if (e.NodeType == "gateway" && e.Gateway is { } gateway)
            {
                Key(b, ref first, "agentVariables"u8);
                b.Write("{\"GATEWAY\":{"u8);
                var inner = true;
                Str(b, ref inner, "gateway"u8, gateway);
                Str(b, ref inner, "status"u8, status);
                b.Write("}}"u8);
            }

            return;
        }

        var scope = e.NodeType switch
        {
            "agent" => "AGENT"u8,
            "orchestrator" => "ORCHESTRATOR"u8,
            "gateway" => "GATEWAY"u8,
            "server" or "middleware" => "SERVER"u8,
            "tool" or "skill" => "TOOL"u8,
            _ => default,
        };
        if (scope.IsEmpty)
        {
            return;
        }

        Key(b, ref first, "agentVariables"u8);
        b.WriteByte((byte)'{');
        var outer = true;
        Key(b, ref outer, scope);
        b.WriteByte((byte)'{');
        var fields = true;
        Num(b, ref fields, "latency_ms"u8, e.LatencyMs);
        if (e.NodeType != "agent")
        {
            // The TypeScript SDK's orchestrator and node hops name their run and node; its agent hops do not.
            Str(b, ref fields, "node_id"u8, e.NodeId);
            Key(b, ref fields, "run_id"u8);
            if (e.AgentRef is { } agentRef)
            {
                JsonCanonicalizer.WriteString(agentRef, b);
            }
            else
            {
                Span<char> run = stackalloc char[32];
                e.RunId.TryFormat(run, out _, "N");
                JsonCanonicalizer.WriteString(run, b);
            }
        }

        Str(b, ref fields, "status"u8, status);
        b.Write("}}"u8);
    }

    private static void Id(ByteBuffer b, ref bool first, ReadOnlySpan<byte> name, string? value, Sec0.Hops.TraceIds ids, bool trace)
    {
        if (value is not null || ids.IsEmpty)
        {
            Str(b, ref first, name, value);
            return;
        }

        Span<char> hex = stackalloc char[32];
        if (trace)
        {
            ids.FormatTrace(hex);
        }
        else
        {
            ids.FormatSpan(hex);
            hex = hex[..16];
        }

        Key(b, ref first, name);
        JsonCanonicalizer.WriteString(hex, b);
    }

    private static void Num(ByteBuffer b, ref bool first, ReadOnlySpan<byte> name, double? value)
    {
        if (value is not { } v)
        {
            return;
        }

        Key(b, ref first, name);
        JsonCanonicalizer.WriteNumber(v, b);
    }

    private static void Node(ByteBuffer b, ref bool first, ReadOnlySpan<byte> name, JsonNode? value)
    {
        if (value is null)
        {
            return;
        }

        Key(b, ref first, name);
        JsonCanonicalizer.Canonicalize(Encoding.UTF8.GetBytes(value.ToJsonString()), b, excludeTopLevelMember: null);
    }

    private static void WriteTimestamp(ByteBuffer b, DateTimeOffset timestamp)
    {
        var span = b.GetSpan(32);
        span[0] = (byte)'"';
        timestamp.UtcDateTime.TryFormat(span[1..], out var written, TimestampFormat, CultureInfo.InvariantCulture);
        span[written + 1] = (byte)'"';
        b.Advance(written + 2);
    }

    /// <summary>Formats a timestamp the way <c>ts</c> is written: ISO-8601 UTC with milliseconds.</summary>
    public static string FormatTimestamp(DateTimeOffset timestamp)
        => timestamp.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);
}

using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Sec0.Audit.Tracing;

/// <summary>
/// Reads the members a trace needs from one audit line: top-level strings by name, <c>policy.decision</c> and
/// <c>policy.reason</c>, and the <c>run_id</c> inside <c>agentVariables</c>; everything else is skipped unread.
/// A member of an unexpected type counts as absent (a view draws what it can); only a line that is not one
/// JSON object is malformed.
/// </summary>
internal static class AuditTraceLineParser
{
    /// <summary>Fills <paramref name="line"/> from <paramref name="bytes"/>; false (with a reason) when they are not one JSON object.</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, AuditTraceLine line, out string? error)
    {
        line.Clear();
        error = null;
        var start = bytes.TrimStart(" \t\r"u8);
        if (start.IsEmpty || start[0] != (byte)'{')
        {
            // Said without the parser's exception, which costs far more than a line (a file of junk lines stays fast).
            error = "not a JSON audit record";
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = 64 });
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                ReadMember(ref reader, line);
            }

            if (reader.TokenType != JsonTokenType.EndObject)
            {
                error = "not a JSON audit record (changed or corrupted line)";
                return false;
            }

            if (HasTrailingText(ref reader))
            {
                error = "not a JSON audit record (text after the JSON object)";
                return false;
            }

            return true;
        }
        catch (JsonException)
        {
            error = "not a JSON audit record (changed or corrupted line)";
            return false;
        }
        catch (InvalidOperationException)
        {
            // GetString validates what the tokenizer lets through: UTF-8, and surrogate pairs in \u escapes.
            error = "not valid text: invalid UTF-8 or a lone surrogate (changed or corrupted line)";
            return false;
        }
    }

    private static bool HasTrailingText(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.Read();
        }
        catch (JsonException)
        {
            return true;
        }
    }

    private static void ReadMember(ref Utf8JsonReader reader, AuditTraceLine line)
    {
        if (reader.ValueTextEquals("policy"u8))
        {
            reader.Read();
            ReadPolicy(ref reader, line);
            return;
        }

        if (reader.ValueTextEquals("agentVariables"u8))
        {
            reader.Read();
            ReadVariables(ref reader, line);
            return;
        }

        if (reader.ValueTextEquals("latency_ms"u8))
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var latency) && double.IsFinite(latency))
            {
                line.LatencyMs = latency;
            }
            else
            {
                reader.Skip();
            }

            return;
        }

        if (reader.ValueTextEquals("risk_tags"u8))
        {
            reader.Read();
            ReadFirstRiskTag(ref reader, line);
            return;
        }

        ref var field = ref Field(ref reader, line);
        reader.Read();
        if (Unsafe.IsNullRef(ref field))
        {
            reader.Skip();
            return;
        }

        field = reader.TokenType == JsonTokenType.String ? reader.GetString() : SkipNonString(ref reader);
    }

    private static string? SkipNonString(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return null;
    }

    /// <summary>The string field a top-level member fills, or a null ref for members a trace does not draw.</summary>
    private static ref string? Field(ref Utf8JsonReader reader, AuditTraceLine line)
    {
        if (reader.ValueTextEquals("record"u8)) { return ref line.Record; }
        if (reader.ValueTextEquals("op"u8)) { return ref line.Op; }
        if (reader.ValueTextEquals("node_type"u8)) { return ref line.NodeType; }
        if (reader.ValueTextEquals("run_id"u8)) { return ref line.RunId; }
        if (reader.ValueTextEquals("agentRef"u8)) { return ref line.AgentRef; }
        if (reader.ValueTextEquals("ts"u8)) { return ref line.Timestamp; }
        if (reader.ValueTextEquals("trace_id"u8)) { return ref line.TraceId; }
        if (reader.ValueTextEquals("span_id"u8)) { return ref line.SpanId; }
        if (reader.ValueTextEquals("cause_trace_id"u8)) { return ref line.CauseTraceId; }
        if (reader.ValueTextEquals("cause_span_id"u8)) { return ref line.CauseSpanId; }
        if (reader.ValueTextEquals("hop"u8)) { return ref line.Hop; }
        if (reader.ValueTextEquals("agent"u8)) { return ref line.Agent; }
        if (reader.ValueTextEquals("agent_orchestrator"u8)) { return ref line.AgentOrchestrator; }
        if (reader.ValueTextEquals("gateway"u8)) { return ref line.Gateway; }
        if (reader.ValueTextEquals("middleware"u8)) { return ref line.Middleware; }
        if (reader.ValueTextEquals("skill"u8)) { return ref line.Skill; }
        if (reader.ValueTextEquals("server"u8)) { return ref line.Server; }
        if (reader.ValueTextEquals("tool"u8)) { return ref line.Tool; }
        if (reader.ValueTextEquals("tool_ref"u8)) { return ref line.ToolRef; }
        if (reader.ValueTextEquals("target_tool_ref"u8)) { return ref line.TargetToolRef; }
        if (reader.ValueTextEquals("nodeId"u8)) { return ref line.NodeId; }
        if (reader.ValueTextEquals("decision"u8)) { return ref line.TopLevelDecision; }
        if (reader.ValueTextEquals("decision_reason"u8)) { return ref line.DecisionReason; }
        if (reader.ValueTextEquals("denial_reason"u8)) { return ref line.DenialReason; }
        if (reader.ValueTextEquals("status"u8)) { return ref line.Status; }
        if (reader.ValueTextEquals("escalation_id"u8)) { return ref line.EscalationId; }
        if (reader.ValueTextEquals("escalation_status"u8)) { return ref line.EscalationStatus; }
        if (reader.ValueTextEquals("escalation_error"u8)) { return ref line.EscalationError; }
        return ref Unsafe.NullRef<string?>();
    }

    private static void ReadPolicy(ref Utf8JsonReader reader, AuditTraceLine line)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isDecision = reader.ValueTextEquals("decision"u8);
            var isReason = !isDecision && reader.ValueTextEquals("reason"u8);
            reader.Read();
            if (reader.TokenType == JsonTokenType.String && (isDecision || isReason))
            {
                // policy.decision is where Sec0 writes the decision; a top-level decision is only a fallback.
                if (isDecision)
                {
                    line.Decision = reader.GetString();
                }
                else
                {
                    line.PolicyReason = reader.GetString();
                }
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static void ReadFirstRiskTag(ref Utf8JsonReader reader, AuditTraceLine line)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.String && line.FirstRiskTag is null)
            {
                line.FirstRiskTag = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }
    }

    /// <summary><c>agentVariables</c>: <c>{SCOPE: {run_id, ...}}</c>; the first scope's <c>run_id</c> string wins.</summary>
    private static void ReadVariables(ref Utf8JsonReader reader, AuditTraceLine line)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isRun = reader.ValueTextEquals("run_id"u8);
                reader.Read();
                if (isRun && reader.TokenType == JsonTokenType.String && line.VariablesRunId is null)
                {
                    line.VariablesRunId = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }
        }
    }
}

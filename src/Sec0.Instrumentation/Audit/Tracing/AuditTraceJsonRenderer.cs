using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Sec0.Audit.Tracing;

/// <summary>
/// Writes runs as JSON (<c>"format": "sec0-trace/1"</c>; the shape is documented in docs/observability.md):
/// <c>runs</c>, each with its counts and <c>roots</c>, each call with its fields and <c>children</c>; then the
/// lines that could not be read. Every member is always written (<c>null</c> when the log has no value), so
/// consumers need no existence checks. Values are the log's own text, JSON-escaped.
/// </summary>
public static class AuditTraceJsonRenderer
{
    /// <summary>The value of <c>format</c>; a change that removes or renames a member gets a new one.</summary>
    public const string Format = "sec0-trace/1";

    /// <summary>Writes <paramref name="trace"/> as one indented JSON document and a newline, run by run.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="trace">The runs.</param>
    public static void Write(TextWriter writer, AuditTrace trace)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(trace);
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            // Handed on after every run: thousands of runs never sit in memory twice (as UTF-8 and as text).
            Write(json, trace, () =>
            {
                json.Flush();
                writer.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
                buffer.ResetWrittenCount();
            });
            json.Flush();
        }

        writer.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    /// <summary>Writes <paramref name="trace"/> as one JSON object.</summary>
    /// <param name="json">Where to write.</param>
    /// <param name="trace">The runs.</param>
    public static void Write(Utf8JsonWriter json, AuditTrace trace) => Write(json, trace, afterRun: null);

    private static void Write(Utf8JsonWriter json, AuditTrace trace, Action? afterRun)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(trace);
        json.WriteStartObject();
        json.WriteString("format", Format);
        json.WriteString("path", trace.Path);
        json.WriteNumber("files", trace.Files);
        json.WriteNumber("runs_in_log", trace.RunsInLog);
        json.WriteStartArray("runs");
        foreach (var run in trace.Runs)
        {
            WriteRun(json, run);
            afterRun?.Invoke();
        }

        json.WriteEndArray();
        json.WriteNumber("unreadable_lines", trace.UnreadableLines);
        json.WriteStartArray("problems");
        foreach (var problem in trace.Problems)
        {
            json.WriteStartObject();
            json.WriteString("file", problem.File);
            json.WriteNumber("line", problem.Line);
            json.WriteString("message", problem.Message);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteRun(Utf8JsonWriter json, AuditRun run)
    {
        json.WriteStartObject();
        json.WriteString("key", run.Key);
        json.WriteString("run_id", run.RunId);
        json.WriteString("trace_id", run.TraceId);
        json.WriteString("started", run.StartedAt is { } started ? started.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) : null);
        json.WriteStartArray("files");
        foreach (var file in run.Files)
        {
            json.WriteStringValue(file);
        }

        json.WriteEndArray();
        json.WriteNumber("calls", run.Calls);
        json.WriteNumber("denied", run.Denied);
        json.WriteNumber("escalated", run.Escalated);
        json.WriteNumber("detached", run.Detached);
        WriteNodes(json, "roots", run.Roots);
        json.WriteEndObject();
    }

    // Depth is bounded by AuditRunTreeBuilder.MaxDepth: well inside the writer's own depth limit.
    private static void WriteNodes(Utf8JsonWriter json, string name, IReadOnlyList<AuditRunNode> nodes)
    {
        json.WriteStartArray(name);
        foreach (var node in nodes)
        {
            json.WriteStartObject();
            json.WriteString("kind", node.Kind);
            json.WriteString("name", node.Name);
            json.WriteString("hop", node.HopKey);
            json.WriteString("op", node.Op);
            json.WriteString("tool_ref", node.ToolRef);
            json.WriteString("node_id", node.NodeId);
            json.WriteString("ts", node.Timestamp);
            json.WriteString("trace_id", node.TraceId);
            json.WriteString("span_id", node.SpanId);
            json.WriteString("cause_trace_id", node.CauseTraceId);
            json.WriteString("cause_span_id", node.CauseSpanId);
            json.WriteString("decision", node.Decision);
            json.WriteString("reason", node.Reason);
            json.WriteString("status", node.Status);
            if (node.LatencyMs is { } latency)
            {
                json.WriteNumber("latency_ms", latency);
            }
            else
            {
                json.WriteNull("latency_ms");
            }

            json.WriteBoolean("denied", node.IsDenied);
            json.WriteBoolean("would_deny", node.WouldDeny);
            if (node.IsEscalated)
            {
                json.WriteStartObject("escalation");
                json.WriteString("id", node.EscalationId);
                json.WriteString("status", node.EscalationStatus);
                json.WriteString("latest_status", node.EscalationLatestStatus ?? node.EscalationStatus);
                json.WriteString("error", node.EscalationError);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("escalation");
            }

            json.WriteString("detached", node.DetachedReason);
            json.WriteString("file", node.File);
            json.WriteNumber("line", node.Line);
            WriteNodes(json, "children", node.Children);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}

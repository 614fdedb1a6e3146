using System.Globalization;
using System.Text;

namespace Sec0.Audit.Tracing;

/// <summary>
/// Writes runs as a Mermaid <c>flowchart TD</c>, for docs and tickets: a node per run and per call, an arrow from
/// each caller to its calls, denied calls in red, escalated ones in amber, calls whose caller is missing joined to
/// the run by a dotted arrow. Node ids are generated (<c>r1</c>, <c>r1n2</c>); text from the log appears only inside
/// quoted labels, with every character outside letters, digits and <c> ._:/@+=,-</c> written as a Mermaid entity
/// (<c>#34;</c>), so a tool name cannot close its label, add nodes, links or click handlers, or inject HTML.
/// </summary>
public static class AuditTraceMermaidRenderer
{
    /// <summary>Writes every run of <paramref name="trace"/> as one flowchart.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="trace">The runs.</param>
    public static void Write(TextWriter writer, AuditTrace trace)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(trace);
        writer.WriteLine("flowchart TD");
        writer.WriteLine("  classDef denied fill:#fde2e2,stroke:#c0392b,color:#000");
        writer.WriteLine("  classDef escalated fill:#fff4cc,stroke:#b7791f,color:#000");
        writer.WriteLine("  classDef detached stroke-dasharray:4 3");
        for (var r = 0; r < trace.Runs.Count; r++)
        {
            var run = trace.Runs[r];
            var id = string.Create(CultureInfo.InvariantCulture, $"r{r + 1}");
            writer.WriteLine($"  {id}([\"{RunLabel(run)}\"])");
            var counter = 0;
            WriteNodes(writer, id, id, run.Roots, ref counter);
        }
    }

    private static string RunLabel(AuditRun run)
    {
        var label = new StringBuilder();
        label.Append(run.RunId is { } id ? "run " + Escape(id, 80)
            : run.TraceId is { } trace ? "trace " + Escape(trace, 80) + " (no run id)"
            : "calls with no run or trace id");
        label.Append("<br/>");
        if (run.StartedAt is { } started)
        {
            label.Append(AuditTraceText.Time(started)).Append(" · ");
        }

        label.Append(CultureInfo.InvariantCulture, $"{run.Calls} {(run.Calls == 1 ? "call" : "calls")}");
        if (run.Denied > 0)
        {
            label.Append(CultureInfo.InvariantCulture, $" · {run.Denied} denied");
        }

        if (run.Escalated > 0)
        {
            label.Append(CultureInfo.InvariantCulture, $" · {run.Escalated} escalated");
        }

        return label.ToString();
    }

    // Depth is bounded by AuditRunTreeBuilder.MaxDepth, so the recursion is too.
    private static void WriteNodes(TextWriter writer, string runId, string parentId, IReadOnlyList<AuditRunNode> nodes, ref int counter)
    {
        foreach (var node in nodes)
        {
            var id = string.Create(CultureInfo.InvariantCulture, $"{runId}n{++counter}");
            writer.WriteLine($"  {id}[\"{NodeLabel(node)}\"]");
            writer.WriteLine(node.DetachedReason is null ? $"  {parentId} --> {id}" : $"  {parentId} -.-> {id}");
            if (node.IsDenied)
            {
                writer.WriteLine($"  class {id} denied");
            }
            else if (node.IsEscalated || node.WouldDeny)
            {
                writer.WriteLine($"  class {id} escalated");
            }

            if (node.DetachedReason is not null)
            {
                writer.WriteLine($"  class {id} detached");
            }

            WriteNodes(writer, runId, id, node.Children, ref counter);
        }
    }

    private static string NodeLabel(AuditRunNode node)
    {
        var label = new StringBuilder();
        label.Append(Escape(node.Kind, 32)).Append(' ').Append(Escape(node.Name, 80));
        if (node.HopKey is { } hop && hop != node.Name)
        {
            label.Append("<br/>").Append(Escape(hop, 80));
        }

        var details = new List<string>(3);
        if (node.Decision is { } decision)
        {
            details.Add(Escape(decision, 32));
        }

        if (node.Status is { } status)
        {
            details.Add(Escape(status, 32));
        }

        if (node.LatencyMs is { } latency)
        {
            details.Add(AuditTraceText.Latency(latency));
        }

        if (details.Count > 0)
        {
            label.Append("<br/>").AppendJoin(" · ", details);
        }

        var reason = node.Reason is { } r ? Escape(r, 80) : null;
        if (node.IsDenied)
        {
            label.Append("<br/>✗ denied").Append(reason is null ? "" : ": " + reason);
        }
        else if (node.WouldDeny)
        {
            label.Append("<br/>would deny").Append(reason is null ? "" : ": " + reason);
        }

        if (node.IsEscalated)
        {
            label.Append("<br/>⚑ ").Append(node.Decision == "escalate" ? "escalated" : "escalation");
            if (node.EscalationId is { } escalation)
            {
                label.Append(' ').Append(Escape(escalation, 64));
                if ((node.EscalationLatestStatus ?? node.EscalationStatus) is { } escalationStatus)
                {
                    label.Append(' ').Append(Escape(escalationStatus, 32));
                }
            }
        }

        if (node.DetachedReason is not null)
        {
            label.Append("<br/>⚠ caller not in this log");
        }

        return label.ToString();
    }

    /// <summary>Text from the log inside a quoted Mermaid label: only plain characters stay, the rest become <c>#NN;</c>.</summary>
    internal static string Escape(string value, int maxChars)
    {
        var text = new StringBuilder(Math.Min(value.Length, maxChars) + 8);
        var kept = 0;
        for (var i = 0; i < value.Length; i++)
        {
            if (kept++ == maxChars)
            {
                text.Append('…');
                break;
            }

            var c = value[i];
            if (char.IsAsciiLetterOrDigit(c) || c is ' ' or '.' or '_' or ':' or '/' or '@' or '+' or '=' or ',' or '-')
            {
                text.Append(c);
                continue;
            }

            var code = char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])
                ? char.ConvertToUtf32(c, value[++i])
                : c;
            text.Append(CultureInfo.InvariantCulture, $"#{code};");
        }

        return text.ToString();
    }
}

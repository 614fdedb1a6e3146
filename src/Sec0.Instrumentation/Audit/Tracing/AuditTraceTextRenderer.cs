using System.Globalization;
using System.Text;

namespace Sec0.Audit.Tracing;

/// <summary>
/// Draws runs as trees for a terminal, one call per line with its kind, name, decision, status and latency;
/// denials (<c>✗ denied: reason</c>), escalations (<c>⚑</c> with id and status) and calls whose caller is missing
/// (<c>⚠</c>) are marked:
/// <code>
/// run e2024f71e0b93756729ada192227427c · 2026-12-07 02:10:21.699Z · 3 calls · 1 denied
/// └─ orchestrator demo-agents@1.0.0 (Workflow.Orchestrate) · allow · ok · 247.2 ms
///    ├─ agent research-agent@1.0.0 (ResearchAgent.Run) · allow · ok · 33.8 ms
///    └─ agent payment-agent@1.0.0 (PaymentAgent.Charge) · deny · error · 0 ms  ✗ denied: tool_not_in_allowlist
/// </code>
/// Text from the log is written with control characters and bidirectional overrides made visible, so a tool
/// name cannot move the cursor, recolour or rewrite the terminal. Colour (ANSI) only when asked for.
/// </summary>
public static class AuditTraceTextRenderer
{
    private const string Reset = "\e[0m";
    private const string Bold = "\e[1m";
    private const string Dim = "\e[2m";
    private const string Red = "\e[31m";
    private const string Green = "\e[32m";
    private const string Yellow = "\e[33m";

    /// <summary>
    /// Whether to colour output that goes to a terminal: yes, unless <c>NO_COLOR</c> is set to anything (no-color.org).
    /// Output that is not a terminal is never coloured.
    /// </summary>
    /// <param name="outputIsTerminal">True when standard output is an interactive terminal (not redirected).</param>
    public static bool ShouldUseColor(bool outputIsTerminal)
        => ShouldUseColor(outputIsTerminal, Environment.GetEnvironmentVariable("NO_COLOR"));

    internal static bool ShouldUseColor(bool outputIsTerminal, string? noColor) => outputIsTerminal && string.IsNullOrEmpty(noColor);

    /// <summary>Writes every run of <paramref name="trace"/>, a blank line between runs.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="trace">The runs.</param>
    /// <param name="color">Colour with ANSI escape sequences (see <see cref="ShouldUseColor(bool)"/>).</param>
    public static void Write(TextWriter writer, AuditTrace trace, bool color = false)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(trace);
        for (var i = 0; i < trace.Runs.Count; i++)
        {
            if (i > 0)
            {
                writer.WriteLine();
            }

            Write(writer, trace.Runs[i], color);
        }
    }

    /// <summary>Writes one run: a header line, then its calls as a tree.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="run">The run.</param>
    /// <param name="color">Colour with ANSI escape sequences (see <see cref="ShouldUseColor(bool)"/>).</param>
    public static void Write(TextWriter writer, AuditRun run, bool color = false)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(run);
        var line = new StringBuilder(256);
        Paint(line, color, Bold, Header(run));
        line.Append(CultureInfo.InvariantCulture, $" · {run.Calls} {(run.Calls == 1 ? "call" : "calls")}");
        if (run.Denied > 0)
        {
            line.Append(" · ");
            Paint(line, color, Red, string.Create(CultureInfo.InvariantCulture, $"{run.Denied} denied"));
        }

        if (run.Escalated > 0)
        {
            line.Append(" · ");
            Paint(line, color, Yellow, string.Create(CultureInfo.InvariantCulture, $"{run.Escalated} escalated"));
        }

        if (run.Detached > 0)
        {
            line.Append(CultureInfo.InvariantCulture, $" · {run.Detached} without their caller");
        }

        writer.WriteLine(line.ToString());
        WriteChildren(writer, line, run.Roots, "", color);
    }

    private static string Header(AuditRun run)
    {
        var name = run.RunId is { } id ? "run " + AuditTraceText.Printable(id, 80)
            : run.TraceId is { } trace ? "trace " + AuditTraceText.Printable(trace, 80) + " (no run id)"
            : "calls with no run or trace id";
        return run.StartedAt is { } started ? name + " · " + AuditTraceText.Time(started) : name;
    }

    // Depth is bounded by AuditRunTreeBuilder.MaxDepth, so the recursion is too.
    private static void WriteChildren(TextWriter writer, StringBuilder line, IReadOnlyList<AuditRunNode> nodes, string indent, bool color)
    {
        for (var i = 0; i < nodes.Count; i++)
        {
            var last = i == nodes.Count - 1;
            line.Clear();
            Paint(line, color, Dim, indent + (last ? "└─ " : "├─ "));
            WriteNode(line, nodes[i], color);
            writer.WriteLine(line.ToString());
            WriteChildren(writer, line, nodes[i].Children, indent + (last ? "   " : "│  "), color);
        }
    }

    private static void WriteNode(StringBuilder line, AuditRunNode node, bool color)
    {
        line.Append(AuditTraceText.Printable(node.Kind, 32)).Append(' ').Append(AuditTraceText.Printable(node.Name, 120));
        if (node.HopKey is { } hop && hop != node.Name)
        {
            line.Append(' ');
            Paint(line, color, Dim, "(" + AuditTraceText.Printable(hop, 80) + ")");
        }
        else if (node.Op is { } op && op != "tools/call")
        {
            line.Append(' ');
            Paint(line, color, Dim, "(" + AuditTraceText.Printable(op, 40) + ")");
        }

        if (node.Decision is { } decision)
        {
            line.Append(" · ");
            Paint(line, color, decision switch { "allow" => Green, "deny" => Red, _ => Yellow }, AuditTraceText.Printable(decision, 32));
        }

        if (node.Status is { } status)
        {
            line.Append(" · ");
            Paint(line, color, status == "ok" ? Green : status == "error" ? Red : "", AuditTraceText.Printable(status, 32));
        }

        if (node.LatencyMs is { } latency)
        {
            line.Append(" · ").Append(AuditTraceText.Latency(latency));
        }

        var reason = node.Reason is { } r ? AuditTraceText.Printable(r, 120) : null;
        if (node.IsDenied)
        {
            line.Append("  ");
            Paint(line, color, Red, reason is null ? "✗ denied" : "✗ denied: " + reason);
        }
        else if (node.WouldDeny)
        {
            line.Append("  ");
            Paint(line, color, Yellow, "! would deny" + (reason is null ? "" : ": " + reason) + " (observe mode: it ran)");
        }

        if (node.IsEscalated)
        {
            line.Append("  ");
            Paint(line, color, Yellow, Escalation(node, reason));
        }

        if (node.DetachedReason is { } detached)
        {
            line.Append("  ");
            Paint(line, color, Yellow, "⚠ " + detached);
        }
    }

    private static string Escalation(AuditRunNode node, string? reason)
    {
        var text = new StringBuilder(node.Decision == "escalate" ? "⚑ escalated" + (reason is null ? "" : ": " + reason) : "⚑ escalation");
        if (node.EscalationId is { } id)
        {
            text.Append(node.Decision == "escalate" ? " · " : " ").Append(AuditTraceText.Printable(id, 80));
            text.Append(' ').Append(node.EscalationStatus is { } status ? AuditTraceText.Printable(status, 32) : "(no status)");
            if (node.EscalationLatestStatus is { } latest)
            {
                text.Append(", now ").Append(AuditTraceText.Printable(latest, 32));
            }
        }

        if (node.EscalationError is { } error)
        {
            text.Append(" · not raised: ").Append(AuditTraceText.Printable(error, 120));
        }

        return text.ToString();
    }

    private static void Paint(StringBuilder line, bool color, string style, string text)
    {
        if (!color || style.Length == 0)
        {
            line.Append(text);
            return;
        }

        line.Append(style).Append(text).Append(Reset);
    }
}

using System.Globalization;

namespace Sec0.Audit.Tracing;

/// <summary>
/// Links the calls of one run into a tree: a call's parent is the call whose <c>span_id</c> it names as its
/// <c>cause_span_id</c> (in the caller's trace). Lines are written when a call ends, so children come before
/// their parents in the log; order in the file means nothing here, start times order siblings. A caller that is
/// not in the log, a chain of callers that loops (a forged log) or nesting deeper than <see cref="MaxDepth"/>
/// puts the call at the top of the run, marked with the reason: every call is drawn exactly once.
/// </summary>
internal static class AuditRunTreeBuilder
{
    /// <summary>
    /// How deep calls nest before they are drawn at the top instead: renderers recurse this deep at most, and the JSON
    /// (two levels per call) stays inside the 64 levels that parsers such as System.Text.Json accept by default.
    /// </summary>
    public const int MaxDepth = 24;

    public static List<AuditRunNode> Build(List<AuditRunNode> nodes)
    {
        nodes.Sort(CompareStart);
        var bySpan = new Dictionary<string, AuditRunNode>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (node.SpanId is { Length: > 0 } span)
            {
                bySpan.TryAdd(span, node);
            }
        }

        var roots = new List<AuditRunNode>();
        foreach (var node in nodes)
        {
            // Sec0's TypeScript SDK names a top-level hop's own span as its cause: that is a first call, not a loop.
            if (node.CauseSpanId is not { Length: > 0 } cause || cause == node.SpanId)
            {
                roots.Add(node);
                continue;
            }

            if (bySpan.TryGetValue(cause, out var parent)
                && (node.CauseTraceId is null || parent.TraceId is null || node.CauseTraceId == parent.TraceId))
            {
                node.Parent = parent;
                parent.ChildList.Add(node);
                continue;
            }

            node.DetachedReason = string.Create(CultureInfo.InvariantCulture, $"caller span {cause} is not in this log");
            roots.Add(node);
        }

        for (var i = 0; i < roots.Count; i++)
        {
            Walk(roots[i], roots);
        }

        // What no first call reaches hangs in a loop of callers: cut it at its earliest call and draw that at the top.
        foreach (var node in nodes)
        {
            if (node.Mark != 0)
            {
                continue;
            }

            node.Parent!.ChildList.Remove(node);
            node.Parent = null;
            node.DetachedReason = "its chain of callers loops back to itself (a changed or forged log)";
            roots.Add(node);
            for (var i = roots.Count - 1; i < roots.Count; i++)
            {
                Walk(roots[i], roots);
            }
        }

        roots.Sort(CompareStart);
        return roots;
    }

    private static void Walk(AuditRunNode root, List<AuditRunNode> roots)
    {
        root.Mark = 1;
        var stack = new Stack<(AuditRunNode Node, int Depth)>();
        stack.Push((root, 1));
        while (stack.Count > 0)
        {
            var (node, depth) = stack.Pop();
            var children = node.ChildList;
            for (var c = 0; c < children.Count; c++)
            {
                var child = children[c];
                if (depth + 1 > MaxDepth)
                {
                    // Drawn at the top and walked from there, so nothing is ever nested deeper than MaxDepth.
                    children.RemoveAt(c--);
                    child.Parent = null;
                    child.DetachedReason = string.Create(CultureInfo.InvariantCulture, $"nested more than {MaxDepth} calls deep (caller span {child.CauseSpanId})");
                    roots.Add(child);
                    continue;
                }

                child.Mark = 1;
                stack.Push((child, depth + 1));
            }
        }
    }

    /// <summary>By start time (lines without a readable time last), then by place in the log.</summary>
    internal static int CompareStart(AuditRunNode a, AuditRunNode b)
    {
        var byTime = (a.StartedAt, b.StartedAt) switch
        {
            ({ } x, { } y) => x.CompareTo(y),
            (null, { }) => 1,
            ({ }, null) => -1,
            _ => 0,
        };
        return byTime != 0 ? byTime : a.Order.CompareTo(b.Order);
    }
}

namespace Sec0.Audit.Tracing;

/// <summary>
/// One run of an agent system: the calls that share a run id (a top-level hop and every hop, gateway request and
/// tool call under it), drawn as a tree from the calls that started it.
/// </summary>
public sealed class AuditRun
{
    internal AuditRun(string key, string? runId, string? traceId, DateTimeOffset? startedAt, IReadOnlyList<AuditRunNode> roots, IReadOnlyList<string> files)
    {
        Key = key;
        RunId = runId;
        TraceId = traceId;
        StartedAt = startedAt;
        Roots = roots;
        Files = files;
        var stack = new Stack<AuditRunNode>(roots);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            Calls++;
            Denied += node.IsDenied ? 1 : 0;
            Escalated += node.IsEscalated ? 1 : 0;
            Detached += node.DetachedReason is null ? 0 : 1;
            foreach (var child in node.ChildList)
            {
                stack.Push(child);
            }
        }
    }

    /// <summary>
    /// What identifies the run in <see cref="AuditRunReaderOptions.RunId"/>: the run id, or <c>trace:&lt;trace id&gt;</c> for
    /// calls that name no run and no run shares their trace (an MCP server's own log, say), or <c>-</c> for calls
    /// that name neither.
    /// </summary>
    public string Key { get; }

    /// <summary>The run id (<c>run_id</c>, <c>agentVariables.*.run_id</c> or <c>agentRef</c>), or null when the calls name none.</summary>
    public string? RunId { get; }

    /// <summary>The trace the calls share, for a run keyed by its trace.</summary>
    public string? TraceId { get; }

    /// <summary>When the first call started (<c>ts</c>), if any line has a readable time.</summary>
    public DateTimeOffset? StartedAt { get; }

    /// <summary>The calls at the top of the run, in the order they started: its first calls, then calls whose caller is not in the log.</summary>
    public IReadOnlyList<AuditRunNode> Roots { get; }

    /// <summary>The audit files holding the run's lines (names, oldest first): a run can cross midnight UTC.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>How many calls the run has.</summary>
    public int Calls { get; }

    /// <summary>How many calls policy denied.</summary>
    public int Denied { get; }

    /// <summary>How many calls were escalated for approval (or ran on one).</summary>
    public int Escalated { get; }

    /// <summary>How many calls are drawn at the top although they name a caller (<see cref="AuditRunNode.DetachedReason"/>).</summary>
    public int Detached { get; }
}

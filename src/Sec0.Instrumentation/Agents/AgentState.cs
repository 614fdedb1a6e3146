using Sec0.Hops;

namespace Sec0.Agents;

/// <summary>
/// Who is running right now: the innermost <c>[Sec0Hop]</c> call in this asynchronous flow. It flows
/// across nested hops and awaits, and <see cref="Sec0AgentStateHandler"/> sends it with outgoing HTTP
/// requests so the next service can continue the run.
/// </summary>
public readonly struct AgentState
{
    private AgentState(string runId, string nodeId, string? parentNodeId, string traceId, string spanId)
    {
        RunId = runId;
        NodeId = nodeId;
        ParentNodeId = parentNodeId;
        TraceId = traceId;
        SpanId = spanId;
    }

    /// <summary>The state of the innermost running hop, or null outside any hop.</summary>
    public static AgentState? Current
    {
        get
        {
            var frame = HopPipeline.CurrentFrame;
            if (frame?.Envelope.NodeId is not { } nodeId)
            {
                return null;
            }

            return new AgentState(
                frame.RunId.ToString("N"),
                nodeId,
                frame.Parent?.Envelope.NodeId,
                frame.Ids.TraceHex(),
                frame.Ids.SpanHex());
        }
    }

    /// <summary>The run: one id shared by a top-level hop and every hop it calls (32 hex).</summary>
    public string RunId { get; }

    /// <summary>The <c>nodeId</c> of the running hop.</summary>
    public string NodeId { get; }

    /// <summary>The <c>nodeId</c> of the hop that called it, if any.</summary>
    public string? ParentNodeId { get; }

    /// <summary>The W3C trace id of the running hop (32 hex).</summary>
    public string TraceId { get; }

    /// <summary>The W3C span id of the running hop (16 hex).</summary>
    public string SpanId { get; }

    /// <summary>
    /// The <c>agentRef</c> written in envelopes and sent as <c>x-agent-ref</c>: the run id, as Sec0's TypeScript SDK
    /// uses it (the node is <see cref="NodeId"/>, written beside it as <c>nodeId</c>).
    /// </summary>
    public string AgentRef => RunId;
}

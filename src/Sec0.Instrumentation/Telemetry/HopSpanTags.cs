using System.Diagnostics;
using Sec0.Hops;

namespace Sec0.Telemetry;

/// <summary>
/// The OpenTelemetry semantic-convention attributes of a hop's span: the GenAI <c>execute_tool</c> convention for tool
/// hops, and <c>error.type</c> with an error status when the call is denied or throws. Only called for a span a listener
/// records: a span the sampler dropped (created only to carry the trace context) gets no attributes.
/// </summary>
internal static class HopSpanTags
{
    /// <summary>The GenAI operation of a tool call.</summary>
    public const string ExecuteTool = "execute_tool";

    /// <summary>The GenAI operation of an agent's (or an orchestrator's) invocation.</summary>
    public const string InvokeAgent = "invoke_agent";

    /// <summary>
    /// Tags a started hop span; a tool hop's span is named <c>execute_tool {tool}</c>, an agent's or orchestrator's
    /// <c>invoke_agent {name}</c> (GenAI agent spans), other hops keep the hop key.
    /// </summary>
    public static void Start(Activity activity, ResolvedHop hop, string key, string? nodeId)
    {
        if (!activity.IsAllDataRequested)
        {
            return;
        }

        activity.SetTag("sec0.hop", key);
        activity.SetTag("sec0.node_id", nodeId);
        activity.SetTag("sec0.node_type", hop.NodeType);
        if (hop.NodeType == "tool")
        {
            var tool = hop.Audit.Tool;
            activity.DisplayName = ExecuteTool + " " + tool;
            activity.SetTag("gen_ai.operation.name", ExecuteTool);
            activity.SetTag("gen_ai.tool.name", tool);
            activity.SetTag("gen_ai.tool.type", "function");
            if (hop.Server is { } server)
            {
                activity.SetTag("sec0.server", server);
            }
        }
        else if (hop.NodeType is "agent" or "orchestrator" && (hop.Config?.AgentName ?? hop.Config?.OrchestratorName) is { } agent)
        {
            activity.DisplayName = InvokeAgent + " " + agent;
            activity.SetTag("gen_ai.operation.name", InvokeAgent);
            activity.SetTag("gen_ai.agent.name", agent);
            activity.SetTag("gen_ai.agent.id", nodeId);
        }
    }

    /// <summary>A call refused by policy: error status, and its reason as <c>error.type</c>.</summary>
    public static void Denied(Activity activity, string reason)
    {
        if (!activity.IsAllDataRequested)
        {
            return;
        }

        activity.SetTag("error.type", reason);
        activity.SetTag("sec0.decision.reason", reason);
        activity.SetStatus(ActivityStatusCode.Error, reason);
    }

    /// <summary>A call whose body threw: error status and the exception's type as <c>error.type</c>.</summary>
    public static void Failed(Activity activity, Exception error)
    {
        if (!activity.IsAllDataRequested)
        {
            return;
        }

        activity.SetTag("error.type", error.GetType().FullName);
        activity.SetStatus(ActivityStatusCode.Error, error.GetType().Name);
    }
}

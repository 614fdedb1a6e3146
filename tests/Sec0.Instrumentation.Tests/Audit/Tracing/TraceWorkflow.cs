namespace Sec0.Instrumentation.Tests.Audit.Tracing;

/// <summary>
/// A small agent system for the trace tests, called through the generated interceptors: an orchestrator runs a
/// research agent (which calls a search tool), a payment agent its hop block denies, and a refund tool the policy
/// escalates for approval.
/// </summary>
public static class TraceWorkflow
{
    /// <summary>The orchestrator. Returns the id of the refund's escalation.</summary>
    [Sec0Hop]
    public static async Task<string?> Run(string topic)
    {
        var agents = new TraceAgents();
        await agents.Research(topic);
        try
        {
            agents.Pay(10m);
        }
        catch (Sec0PolicyDeniedException)
        {
            // Expected: denied before its body runs.
        }

        try
        {
            TraceTools.Refund("acme", 5m);
            return null;
        }
        catch (Sec0PolicyDeniedException escalated)
        {
            return escalated.EscalationId;
        }
    }
}

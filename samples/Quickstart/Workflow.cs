namespace Sec0.Samples.Quickstart;

/// <summary>The orchestrator: researches a topic, then pays for the report.</summary>
public static class Workflow
{
    /// <summary>
    /// Runs both agents. Each call below is intercepted by the generated code and recorded as a hop
    /// whose cause is this orchestrator's span.
    /// </summary>
    /// <param name="topic">What to research.</param>
    /// <returns>What happened, in one line.</returns>
    [Sec0Hop(Type = HopType.Orchestrator)]
    public static async Task<string> Orchestrate(string topic)
    {
        // Calls that bypass the generated interceptor (reflection, delegates) are decided here instead.
        HopGuard.Enter();
        var findings = await new ResearchAgent().Run(topic);
        Console.WriteLine($"research: {findings}");

        try
        {
            var receipt = await new PaymentAgent().Charge("acct-4242", 129.00m);
            Console.WriteLine($"payment: {receipt}");
            return "researched and paid";
        }
        catch (Sec0PolicyDeniedException denied)
        {
            // The payment agent's enforcement block denies the charge before its body runs; a denial is
            // an expected outcome of the workflow, not a crash.
            Console.WriteLine($"denied: {denied.Violation} ({denied.Message})");
            return "researched; payment denied";
        }
    }
}

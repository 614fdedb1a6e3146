namespace Sec0.Instrumentation.Tests.Audit.Tracing;

/// <summary>The agents of <see cref="TraceWorkflow"/>.</summary>
public sealed class TraceAgents
{
    [Sec0Hop]
    public async Task<string> Research(string topic)
    {
        await Task.Yield();
        return TraceTools.Search(topic);
    }

    [Sec0Hop]
    public string Pay(decimal amount) => $"paid {amount}";
}

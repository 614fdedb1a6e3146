namespace Sec0.Samples.Quickstart;

/// <summary>An agent that gathers sources on a topic.</summary>
public sealed class ResearchAgent
{
    /// <summary>Finds sources on <paramref name="topic"/>. A stand-in for a model or search call.</summary>
    /// <param name="topic">What to research.</param>
    /// <returns>A one-line summary of the findings.</returns>
    [Sec0Hop(Type = HopType.Agent)]
    public async Task<string> Run(string topic)
    {
        HopGuard.Enter();
        await Task.Delay(10).ConfigureAwait(false);
        return $"3 sources on \"{topic}\"";
    }
}

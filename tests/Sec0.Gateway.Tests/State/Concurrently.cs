namespace Sec0.Gateway.Tests.State;

/// <summary>Races many calls against one another on dedicated threads.</summary>
internal static class Concurrently
{
    // Splits the calls over dedicated threads that a barrier starts at once, so they race for the same key.
    public static async Task<T[]> Run<T>(int count, Func<ValueTask<T>> call)
    {
        var threads = Math.Max(8, Environment.ProcessorCount * 2);
        using var start = new Barrier(threads);
        var perThread = (count + threads - 1) / threads;
        var tasks = Enumerable.Range(0, threads).Select(t => Task.Factory.StartNew(
            () =>
            {
                var results = new List<T>();
                start.SignalAndWait();
                for (var i = t * perThread; i < Math.Min(count, (t + 1) * perThread); i++)
                {
                    results.Add(call().AsTask().GetAwaiter().GetResult());
                }

                return results;
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();
        var all = await Task.WhenAll(tasks);
        var flat = all.SelectMany(r => r).ToArray();
        Assert.Equal(count, flat.Length);
        return flat;
    }
}

namespace Sec0.Gateway.Tests.TestServers;

/// <summary>What <see cref="McpHttpTestTools"/> saw, readable from a test.</summary>
public sealed class McpHttpTestState
{
    private int _count;
    private int _slowStarted;
    private int _slowCancelled;

    /// <summary>How many times <c>count</c> ran.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>How many <c>slow</c> calls started.</summary>
    public int SlowStarted => Volatile.Read(ref _slowStarted);

    /// <summary>How many <c>slow</c> calls saw their cancellation.</summary>
    public int SlowCancelled => Volatile.Read(ref _slowCancelled);

    public int IncrementCount() => Interlocked.Increment(ref _count);

    public void SlowStart() => Interlocked.Increment(ref _slowStarted);

    public void SlowCancel() => Interlocked.Increment(ref _slowCancelled);
}

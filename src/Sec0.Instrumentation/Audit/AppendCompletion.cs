using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;

namespace Sec0.Audit;

/// <summary>
/// A pooled awaitable for one <see cref="AuditAppender.AppendAsync"/>: completed by the writer after the
/// line is written (or fsynced), so awaiting an append allocates nothing in steady state.
/// </summary>
internal sealed class AppendCompletion : IValueTaskSource
{
    private static readonly ConcurrentQueue<AppendCompletion> s_pool = new();
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };

    public static AppendCompletion Rent()
    {
        if (s_pool.TryDequeue(out var c))
        {
            return c;
        }

        return new AppendCompletion();
    }

    public ValueTask Task => new(this, _core.Version);

    public void SetResult() => _core.SetResult(true);

    public void SetException(Exception exception) => _core.SetException(exception);

    public void GetResult(short token)
    {
        try
        {
            _core.GetResult(token);
        }
        finally
        {
            _core.Reset();
            if (s_pool.Count < 1024)
            {
                s_pool.Enqueue(this);
            }
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);
}

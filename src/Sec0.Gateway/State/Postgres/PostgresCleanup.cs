using Microsoft.Extensions.Logging;

namespace Sec0.Gateway.State.Postgres;

/// <summary>
/// Runs a store's cleanup in the background once every so many operations, one run at a time. The request that
/// reaches the count does not wait for it. A failed run is logged and tried again at the next threshold: the
/// cleanup only bounds the table size, no decision depends on it (expired rows are taken over when read).
/// </summary>
internal sealed class PostgresCleanup : IAsyncDisposable
{
    private readonly Func<CancellationToken, Task> _run;
    private readonly int _every;
    private readonly ILogger? _logger;
    private readonly string _what;
    private readonly CancellationTokenSource _stopping = new();
    private int _operations;
    private Task _running = Task.CompletedTask;
    private int _busy;

    public PostgresCleanup(Func<CancellationToken, Task> run, int every, ILogger? logger, string what)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(every, 1);
        _run = run;
        _every = every;
        _logger = logger;
        _what = what;
    }

    /// <summary>Counts one operation; at every <c>every</c>-th, starts a run unless one is going on.</summary>
    public void CountOperation()
    {
        if (Interlocked.Increment(ref _operations) % _every != 0 || _stopping.IsCancellationRequested)
        {
            return;
        }

        if (Interlocked.Exchange(ref _busy, 1) != 0)
        {
            return;
        }

        _running = Task.Run(async () =>
        {
            try
            {
                await _run(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                // Disposed while running.
            }
            catch (Exception ex)
            {
                // Background work has no caller to throw to; the next threshold tries again.
                _logger?.GatewayCleanupFailed(ex, _what, _every);
            }
            finally
            {
                Volatile.Write(ref _busy, 0);
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(false);

        // Not disposed: a run starting right now may still read its token (a source without timers holds nothing).
    }
}

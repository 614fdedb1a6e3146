using Microsoft.Extensions.Logging;
using Npgsql;

namespace Sec0.Gateway.State.Postgres;

/// <summary>
/// One <c>LISTEN</c> connection per idempotency store, shared by all its waiters: a notification wakes the waiters of
/// the key it names. When the connection drops it reconnects (with a growing pause) and wakes every waiter, since
/// notifications sent meanwhile are lost; the waiters' polling covers the gap either way.
/// </summary>
internal sealed class PostgresNotificationListener : IAsyncDisposable
{
    private static readonly TimeSpan MinReconnectDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(5);

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger? _logger;
    private readonly object _gate = new();
    private readonly Dictionary<string, List<TaskCompletionSource>> _waiters = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _firstListen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;

    public PostgresNotificationListener(NpgsqlDataSource dataSource, ILogger? logger)
    {
        _dataSource = dataSource;
        _logger = logger;
    }

    /// <summary>Completes when the first <c>LISTEN</c> was executed; faults if that first connection failed.</summary>
    public Task FirstListen => _firstListen.Task;

    /// <summary>Starts the listening loop unless it runs already.</summary>
    public void EnsureStarted()
    {
        if (Volatile.Read(ref _loop) is not null)
        {
            return;
        }

        lock (_gate)
        {
            if (_loop is null && !_stopping.IsCancellationRequested)
            {
                _loop = Task.Run(() => RunAsync(_stopping.Token));
            }
        }
    }

    /// <summary>
    /// A task that completes at the next notification for <paramref name="keyHash"/> (or a reconnect). Dispose the
    /// registration when done waiting, so that a waiter that timed out leaves nothing behind.
    /// </summary>
    public Registration Register(string keyHash)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (!_waiters.TryGetValue(keyHash, out var list))
            {
                _waiters[keyHash] = list = [];
            }

            list.Add(signal);
        }

        return new Registration(this, keyHash, signal);
    }

    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_gate)
        {
            _stopping.Cancel();
            loop = _loop;
        }

        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        _firstListen.TrySetCanceled();
        WakeAll();
        _stopping.Dispose();
    }

    private void Unregister(string keyHash, TaskCompletionSource signal)
    {
        lock (_gate)
        {
            if (_waiters.TryGetValue(keyHash, out var list) && list.Remove(signal) && list.Count == 0)
            {
                _waiters.Remove(keyHash);
            }
        }
    }

    private void Wake(string keyHash)
    {
        List<TaskCompletionSource>? list;
        lock (_gate)
        {
            if (!_waiters.Remove(keyHash, out list))
            {
                return;
            }
        }

        // Outside the lock; continuations run asynchronously anyway.
        foreach (var signal in list)
        {
            signal.TrySetResult();
        }
    }

    private void WakeAll()
    {
        List<TaskCompletionSource> all;
        lock (_gate)
        {
            all = _waiters.Values.SelectMany(l => l).ToList();
            _waiters.Clear();
        }

        foreach (var signal in all)
        {
            signal.TrySetResult();
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        var delay = MinReconnectDelay;
        var connectedBefore = false;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(stopping).ConfigureAwait(false);
                connection.Notification += (_, e) => Wake(e.Payload);
                await using (var listen = new NpgsqlCommand("LISTEN " + PostgresGatewaySchema.NotifyChannel, connection))
                {
                    await listen.ExecuteNonQueryAsync(stopping).ConfigureAwait(false);
                }

                _firstListen.TrySetResult();
                if (connectedBefore)
                {
                    // Notifications sent while we were away are lost: every waiter looks again.
                    _logger?.GatewayListenerReconnected();
                    WakeAll();
                }

                connectedBefore = true;
                delay = MinReconnectDelay;
                while (true)
                {
                    await connection.WaitAsync(stopping).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.IO.IOException or InvalidOperationException)
            {
                // No caller to throw to: the waiters poll meanwhile, and the store's own queries report the outage.
                _firstListen.TrySetException(ex);
                _logger?.GatewayListenerLost(ex, delay);
                WakeAll();
            }

            try
            {
                await Task.Delay(delay, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(MaxReconnectDelay.Ticks, delay.Ticks * 2));
        }
    }

    /// <summary>A waiter's registration for one key.</summary>
    internal readonly struct Registration : IDisposable
    {
        private readonly PostgresNotificationListener _owner;
        private readonly string _keyHash;
        private readonly TaskCompletionSource _signal;

        public Registration(PostgresNotificationListener owner, string keyHash, TaskCompletionSource signal)
        {
            _owner = owner;
            _keyHash = keyHash;
            _signal = signal;
        }

        /// <summary>Completes at the next notification for the key.</summary>
        public Task Signal => _signal.Task;

        public void Dispose() => _owner.Unregister(_keyHash, _signal);
    }
}

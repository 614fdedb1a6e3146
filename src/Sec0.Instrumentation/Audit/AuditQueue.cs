using System.Collections.Concurrent;

namespace Sec0.Audit;

/// <summary>
/// The bounded many-producers, one-consumer queue between instrumented calls and the audit writer.
/// Producers only pay for a lock-free enqueue: the writer is signalled only when it is parked, so a
/// busy writer costs callers nothing. A full queue makes producers wait; nothing is ever dropped.
/// </summary>
internal sealed class AuditQueue<T>
{
    private readonly ConcurrentQueue<T> _items = new();
    private readonly SemaphoreSlim _itemsAvailable = new(0);
    private readonly SemaphoreSlim _spaceAvailable = new(0);
    private readonly int _capacity;

    // Items reserved by producers and not yet taken by the writer (an enqueue counts before it lands).
    private int _count;
    private int _readerParked;
    private int _waitingProducers;
    private int _completed;

    public AuditQueue(int capacity)
    {
        _capacity = capacity;
    }

    /// <summary>True once <see cref="Complete"/> was called.</summary>
    public bool IsCompleted => Volatile.Read(ref _completed) != 0;

    /// <summary>True when completed and every accepted item has been taken.</summary>
    public bool IsDrained => IsCompleted && Volatile.Read(ref _count) == 0;

    /// <summary>Adds an item unless the queue is full or completed.</summary>
    public EnqueueResult TryEnqueue(T item)
    {
        if (Interlocked.Increment(ref _count) > _capacity)
        {
            Interlocked.Decrement(ref _count);
            return EnqueueResult.Full;
        }

        // Checked after reserving: Complete() either sees this reservation (and the writer waits for the
        // item) or this producer sees the completion; an item can't slip in after the writer is gone.
        if (Volatile.Read(ref _completed) != 0)
        {
            Interlocked.Decrement(ref _count);
            return EnqueueResult.Completed;
        }

        _items.Enqueue(item);
        if (Volatile.Read(ref _readerParked) != 0 && Interlocked.Exchange(ref _readerParked, 0) != 0)
        {
            _itemsAvailable.Release();
        }

        return EnqueueResult.Added;
    }

    /// <summary>Adds an item, waiting while the queue is full.</summary>
    /// <returns>False when the queue was completed.</returns>
    public async ValueTask<bool> EnqueueAsync(T item, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = TryEnqueue(item);
            if (result != EnqueueResult.Full)
            {
                return result == EnqueueResult.Added;
            }

            Interlocked.Increment(ref _waitingProducers);
            try
            {
                // Re-check after announcing ourselves, then wait; the timeout is a safety net only.
                result = TryEnqueue(item);
                if (result != EnqueueResult.Full)
                {
                    return result == EnqueueResult.Added;
                }

                await _spaceAvailable.WaitAsync(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _waitingProducers);
            }
        }
    }

    /// <summary>Takes the next item (the single writer only).</summary>
    public bool TryDequeue(out T item)
    {
        if (!_items.TryDequeue(out item!))
        {
            return false;
        }

        Interlocked.Decrement(ref _count);
        return true;
    }

    /// <summary>Lets producers that wait for space try again (after the writer took a batch).</summary>
    public void SignalSpace()
    {
        var waiting = Volatile.Read(ref _waitingProducers);
        if (waiting > 0)
        {
            _spaceAvailable.Release(waiting);
        }
    }

    /// <summary>
    /// Parks the writer until an item arrives, the queue completes, or <paramref name="timeout"/> passes.
    /// Spurious wake-ups are possible; the writer re-checks.
    /// </summary>
    /// <returns>False on timeout.</returns>
    public async ValueTask<bool> WaitAsync(TimeSpan? timeout)
    {
        Volatile.Write(ref _readerParked, 1);
        if (!_items.IsEmpty || IsCompleted)
        {
            Interlocked.Exchange(ref _readerParked, 0);
            return true;
        }

        return await _itemsAvailable.WaitAsync(timeout ?? Timeout.InfiniteTimeSpan).ConfigureAwait(false);
    }

    /// <summary>Refuses further items and wakes the writer to drain what was accepted.</summary>
    public void Complete()
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _itemsAvailable.Release();
            SignalSpace();
        }
    }

    /// <summary>The outcome of <see cref="TryEnqueue"/>.</summary>
    public enum EnqueueResult
    {
        /// <summary>Accepted.</summary>
        Added,

        /// <summary>At capacity: wait and retry.</summary>
        Full,

        /// <summary>Completed: the appender is closing.</summary>
        Completed,
    }
}

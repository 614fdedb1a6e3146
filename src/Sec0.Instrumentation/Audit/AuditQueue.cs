using System.Collections.Concurrent;

namespace Sec0.Audit;

/// <summary>
/// The bounded many-producers, one-consumer queue between instrumented calls and the audit writer thread.
/// Producers only pay for a lock-free enqueue. A fire-and-forget item wakes the writer only when it is
/// parked; a napping writer (it naps for a millisecond while there is traffic) picks it up when the nap
/// ends, so a stream of calls costs the callers no wake-ups at all. An urgent item (someone waits for its
/// write) wakes a napping writer too. A full queue makes producers wait; nothing is ever dropped.
/// </summary>
internal sealed class AuditQueue<T>
{
    private readonly ConcurrentQueue<T> _items = new();
    // Set to end the writer's nap or park. No spinning before it blocks (SemaphoreSlim.Wait spins and
    // yields ~140 times first): at a nap per millisecond that spinning took more CPU than the writing
    // itself on a 2-core machine, taken from the calls being audited.
    private readonly ManualResetEventSlim _itemsAvailable = new(initialState: false, spinCount: 0);
    private readonly SemaphoreSlim _spaceAvailable = new(0);
    private readonly int _capacity;

    private static readonly TimeSpan s_maxWait = TimeSpan.FromDays(1);
    private const int ReaderAwake = 0;
    private const int ReaderNapping = 1;
    private const int ReaderParked = 2;

    // Items reserved by producers and not yet taken by the writer (an enqueue counts before it lands).
    private int _count;
    private int _readerState;
    private int _urgent;
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

    /// <summary>The items queued and not yet taken; safe to read from any thread.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>True when an urgent item arrived since the writer last called <see cref="TakeUrgent"/>.</summary>
    public bool HasUrgent => Volatile.Read(ref _urgent) != 0;

    /// <summary>True when no item is waiting.</summary>
    public bool IsEmpty => _items.IsEmpty;

    /// <summary>Adds an item unless the queue is full or completed.</summary>
    /// <param name="item">The item.</param>
    /// <param name="urgent">True when a caller waits for this item's write: wakes a napping writer too.</param>
    public EnqueueResult TryEnqueue(T item, bool urgent)
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
        if (urgent)
        {
            Interlocked.Exchange(ref _urgent, 1);
            Wake(ReaderNapping);
        }
        else
        {
            Wake(ReaderParked);
        }

        return EnqueueResult.Added;
    }

    /// <summary>Clears the urgent mark (the writer, before it takes items).</summary>
    /// <remarks>A full fence, so the writer's following look at the queue cannot move before the clear.</remarks>
    public void TakeUrgent() => Interlocked.Exchange(ref _urgent, 0);

    // Wakes the writer if it is napping or parked at least as deeply as `from`.
    private void Wake(int from)
    {
        if (Volatile.Read(ref _readerState) >= from && Interlocked.Exchange(ref _readerState, ReaderAwake) != ReaderAwake)
        {
            _itemsAvailable.Set();
        }
    }

    /// <summary>Adds an item, waiting while the queue is full.</summary>
    /// <returns>False when the queue was completed.</returns>
    public async ValueTask<bool> EnqueueAsync(T item, bool urgent, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = TryEnqueue(item, urgent);
            if (result != EnqueueResult.Full)
            {
                return result == EnqueueResult.Added;
            }

            Interlocked.Increment(ref _waitingProducers);
            try
            {
                // Re-check after announcing ourselves, then wait; the timeout is a safety net only. A full
                // queue is urgent: the writer must not nap while callers wait for space.
                result = TryEnqueue(item, urgent);
                if (result != EnqueueResult.Full)
                {
                    return result == EnqueueResult.Added;
                }

                Interlocked.Exchange(ref _urgent, 1);
                Wake(ReaderNapping);

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
    /// Naps the writer thread for <paramref name="nap"/>: fire-and-forget items that arrive meanwhile wait for
    /// the nap to end, urgent ones and completion end it early.
    /// </summary>
    public void Nap(TimeSpan nap)
    {
        // A set left by a producer that woke the writer after its last wait ended is cleared before the
        // new state is published; a producer that sees that state sets the event again.
        _itemsAvailable.Reset();

        // Full fences on both sides (here and in TryEnqueue): either the producer sees the new state and
        // wakes the writer, or the writer sees the producer's item or mark and does not wait.
        Interlocked.Exchange(ref _readerState, ReaderNapping);
        if (!HasUrgent && !IsCompleted)
        {
            _itemsAvailable.Wait(Capped(nap));
        }

        Interlocked.Exchange(ref _readerState, ReaderAwake);
    }

    /// <summary>
    /// Parks the writer thread until any item arrives, the queue completes, or <paramref name="timeout"/>
    /// passes. Spurious wake-ups are possible; the writer re-checks.
    /// </summary>
    public void Park(TimeSpan? timeout)
    {
        _itemsAvailable.Reset();
        Interlocked.Exchange(ref _readerState, ReaderParked);
        if (_items.IsEmpty && !IsCompleted)
        {
            _itemsAvailable.Wait(timeout is { } t ? Capped(t) : Timeout.InfiniteTimeSpan);
        }

        Interlocked.Exchange(ref _readerState, ReaderAwake);
    }

    // ManualResetEventSlim.Wait is documented to refuse timeouts beyond int.MaxValue ms (a checkpoint interval of
    // weeks); the writer re-checks its timers after waking anyway.
    private static TimeSpan Capped(TimeSpan timeout) => timeout > s_maxWait ? s_maxWait : timeout;

    /// <summary>Refuses further items and wakes the writer to drain what was accepted.</summary>
    public void Complete()
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _itemsAvailable.Set();
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

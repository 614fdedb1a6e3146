using System.Collections.Concurrent;

namespace Sec0.Gateway.State;

/// <summary>
/// Idempotency records in process memory, for one gateway process. Each key has its own lock, so exactly one
/// of any number of concurrent claims wins; waiters are woken when the holder completes or gives the key up.
/// </summary>
/// <remarks>
/// <para>
/// Unlike Sec0's TS gateway (DESIGN.md §10.5), a first request always claims its key (the TS SET syntax bug
/// made it a duplicate), a waiter is woken by the completion instead of polling, and a claim whose holder
/// died expires after its lease.
/// </para>
/// <para>
/// Memory grows with the number of distinct keys used within the TTL: each completed record keeps its
/// response body until the TTL runs out. Expired records are replaced when their key is used again and
/// removed by a sweep that runs inline, on the operation that reaches the threshold, at most once per as
/// many operations as there are records (so its cost per operation stays constant). A claim whose lease ran
/// out is removed by the sweep as well; its holder's late <see cref="CompleteAsync"/> then returns false.
/// Stored responses are kept as given, not copied: their bodies must not be changed afterwards.
/// </para>
/// </remarks>
public sealed class InMemoryIdempotencyStore : IIdempotencyStore
{
    private const int MinSweepInterval = 1024;

    // Task.Delay refuses delays beyond about 49 days; a waiter with a longer timeout waits in steps.
    private static readonly TimeSpan MaxDelayStep = TimeSpan.FromDays(1);

    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<IdempotencyKey, Slot> _slots = new();
    private int _operationsSinceSweep;
    private int _sweepInterval = MinSweepInterval;
    private int _sweeping;

    /// <summary>Creates an empty store.</summary>
    /// <param name="time">The clock of the sweep of expired records.</param>
    public InMemoryIdempotencyStore(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    /// <summary>The number of records held (for tests of the sweep).</summary>
    internal int RecordCount => _slots.Count;

    /// <inheritdoc />
    /// <remarks>
    /// No record, a completed record past its TTL, or a claim past its lease: claimed, with a new lease id.
    /// A completed record of the same request hash: <see cref="IdempotencyClaimKind.Completed"/>; a live record of
    /// another hash: <see cref="IdempotencyClaimKind.Mismatch"/>; a live claim of the same hash: <see cref="IdempotencyClaimKind.InFlight"/>.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The lease is not positive.</exception>
    public ValueTask<IdempotencyClaim> ClaimAsync(IdempotencyKey key, string requestHash, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ValidateKey(key);
        ArgumentNullException.ThrowIfNull(requestHash);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();

        var claim = ClaimOrInspect(key, requestHash, lease, now, out _, out _);
        CountOperation();
        return ValueTask.FromResult(claim);
    }

    /// <inheritdoc />
    /// <remarks>
    /// A holder whose lease ran out can still complete while nobody took the key over (and the sweep did not remove the claim).
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The TTL is not positive.</exception>
    public ValueTask<bool> CompleteAsync(IdempotencyKey key, string leaseId, StoredResponse response, TimeSpan ttl, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ValidateKey(key);
        ArgumentNullException.ThrowIfNull(leaseId);
        ArgumentNullException.ThrowIfNull(response);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();

        var completed = false;
        if (_slots.TryGetValue(key, out var slot))
        {
            lock (slot)
            {
                // A removed slot held a record that is gone (released, swept), so not this lease's claim any more.
                if (!slot.Removed && slot.Record is { Response: null } record && record.LeaseId == leaseId)
                {
                    slot.Record = Record.Completed(record.RequestHash, response, SaturatingAdd(now, ttl));
                    slot.Wake();
                    completed = true;
                }
            }
        }

        CountOperation();
        return ValueTask.FromResult(completed);
    }

    /// <inheritdoc />
    /// <remarks>Does nothing unless <paramref name="leaseId"/> holds the key. Wakes the waiters: the first to look claims the key.</remarks>
    public ValueTask ReleaseAsync(IdempotencyKey key, string leaseId, CancellationToken cancellationToken)
    {
        ValidateKey(key);
        ArgumentNullException.ThrowIfNull(leaseId);
        cancellationToken.ThrowIfCancellationRequested();

        if (_slots.TryGetValue(key, out var slot))
        {
            lock (slot)
            {
                if (!slot.Removed && slot.Record is { Response: null } record && record.LeaseId == leaseId)
                {
                    Remove(key, slot);
                }
            }
        }

        CountOperation();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Looks at the record, then sleeps until it changes, its lease runs out, or the timeout elapses, and looks
    /// again. A record of another request hash gives <see cref="IdempotencyClaimKind.Mismatch"/> at once.
    /// <paramref name="timeout"/> may be <see cref="Timeout.InfiniteTimeSpan"/>.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The lease is not positive or the timeout is negative (and not infinite).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<IdempotencyClaim> WaitAsync(IdempotencyKey key, string requestHash, TimeSpan lease, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        ValidateKey(key);
        ArgumentNullException.ThrowIfNull(requestHash);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be 0 or more, or infinite.");
        }

        var deadline = timeout == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : SaturatingAdd(time.GetUtcNow(), timeout);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var now = time.GetUtcNow();
            var claim = ClaimOrInspect(key, requestHash, lease, now, out var changed, out var leaseEnd);
            CountOperation();
            if (claim.Kind != IdempotencyClaimKind.InFlight || now >= deadline)
            {
                return claim;
            }

            // Wake on a change, on the lease running out (the key is then ours to claim), or at the deadline.
            var wakeAt = leaseEnd < deadline ? leaseEnd : deadline;
            var delay = wakeAt - now;
            if (delay > MaxDelayStep)
            {
                delay = MaxDelayStep;
            }

            // The linked source stops the delay's timer when the signal wins, so no timer outlives the wait.
            using var delayCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            await Task.WhenAny(changed!, Task.Delay(delay, time, delayCancellation.Token)).ConfigureAwait(false);
            await delayCancellation.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Removes the completed records past their TTL and the claims past their lease at <paramref name="now"/>.</summary>
    internal void Sweep(DateTimeOffset now)
    {
        Interlocked.Exchange(ref _operationsSinceSweep, 0);
        foreach (var (key, slot) in _slots)
        {
            lock (slot)
            {
                if (!slot.Removed && (slot.Record is null || !slot.Record.IsLiveAt(now)))
                {
                    Remove(key, slot);
                }
            }
        }

        // The next sweep comes after as many operations as there are records left: constant cost per operation.
        Volatile.Write(ref _sweepInterval, Math.Max(MinSweepInterval, _slots.Count));
    }

    /// <summary>
    /// The decision of <see cref="ClaimAsync"/>. For <see cref="IdempotencyClaimKind.InFlight"/> it also gives the
    /// signal of the next change and the end of the holder's lease.
    /// </summary>
    private IdempotencyClaim ClaimOrInspect(IdempotencyKey key, string requestHash, TimeSpan lease, DateTimeOffset now, out Task? changed, out DateTimeOffset leaseEnd)
    {
        changed = null;
        leaseEnd = default;
        while (true)
        {
            var slot = _slots.GetOrAdd(key, static _ => new Slot());
            lock (slot)
            {
                // Removed after we looked it up (released or swept): use the one now in the dictionary.
                if (slot.Removed)
                {
                    continue;
                }

                var record = slot.Record;
                if (record is null || !record.IsLiveAt(now))
                {
                    var leaseId = Guid.NewGuid().ToString();
                    slot.Record = Record.InFlight(requestHash, leaseId, SaturatingAdd(now, lease));

                    // Waiters on a taken-over claim look again (and wait for this one).
                    slot.Wake();
                    return new IdempotencyClaim(IdempotencyClaimKind.Claimed, leaseId, null);
                }

                if (!string.Equals(record.RequestHash, requestHash, StringComparison.Ordinal))
                {
                    return new IdempotencyClaim(IdempotencyClaimKind.Mismatch, null, null);
                }

                if (record.Response is { } response)
                {
                    return new IdempotencyClaim(IdempotencyClaimKind.Completed, null, response);
                }

                changed = slot.Changed;
                leaseEnd = record.LeaseExpiresAt;
                return new IdempotencyClaim(IdempotencyClaimKind.InFlight, null, null);
            }
        }
    }

    /// <summary>Drops the record and its slot; call under the slot's lock.</summary>
    private void Remove(IdempotencyKey key, Slot slot)
    {
        slot.Record = null;
        slot.Removed = true;
        _slots.TryRemove(new KeyValuePair<IdempotencyKey, Slot>(key, slot));
        slot.Wake();
    }

    private void CountOperation()
    {
        if (Interlocked.Increment(ref _operationsSinceSweep) < Volatile.Read(ref _sweepInterval))
        {
            return;
        }

        // One sweep at a time; the others go on.
        if (Interlocked.Exchange(ref _sweeping, 1) != 0)
        {
            return;
        }

        try
        {
            Sweep(_time.GetUtcNow());
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private static void ValidateKey(IdempotencyKey key)
    {
        if (key.Tenant is null || key.Server is null || key.ToolAtVersion is null || key.Key is null)
        {
            throw new ArgumentException("Every part of the idempotency key is required.", nameof(key));
        }
    }

    private static DateTimeOffset SaturatingAdd(DateTimeOffset time, TimeSpan span) =>
        span >= DateTimeOffset.MaxValue - time ? DateTimeOffset.MaxValue : time + span;

    /// <summary>The place of one key's record; guarded by its own lock.</summary>
    private sealed class Slot
    {
        private TaskCompletionSource? _changed;

        /// <summary>The record; null only for a moment after creation.</summary>
        public Record? Record { get; set; }

        /// <summary>Set, under the lock, when the slot left the dictionary: a newer slot holds the key.</summary>
        public bool Removed { get; set; }

        /// <summary>Completes at the next change of the record. Created only when someone waits.</summary>
        public Task Changed => (_changed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

        /// <summary>Wakes the waiters (their continuations run on the thread pool, not under this lock).</summary>
        public void Wake()
        {
            _changed?.TrySetResult();
            _changed = null;
        }
    }

    /// <summary>An in-flight claim (with <see cref="LeaseId"/>) or a completed request (with <see cref="Response"/>).</summary>
    private sealed class Record
    {
        private Record(string requestHash, string? leaseId, DateTimeOffset leaseExpiresAt, StoredResponse? response, DateTimeOffset expiresAt)
        {
            RequestHash = requestHash;
            LeaseId = leaseId;
            LeaseExpiresAt = leaseExpiresAt;
            Response = response;
            ExpiresAt = expiresAt;
        }

        public string RequestHash { get; }

        public string? LeaseId { get; }

        public DateTimeOffset LeaseExpiresAt { get; }

        public StoredResponse? Response { get; }

        public DateTimeOffset ExpiresAt { get; }

        public static Record InFlight(string requestHash, string leaseId, DateTimeOffset leaseExpiresAt) =>
            new(requestHash, leaseId, leaseExpiresAt, null, default);

        public static Record Completed(string requestHash, StoredResponse response, DateTimeOffset expiresAt) =>
            new(requestHash, null, default, response, expiresAt);

        public bool IsLiveAt(DateTimeOffset now) => Response is not null ? now < ExpiresAt : now < LeaseExpiresAt;
    }
}

using System.Text;
using Sec0.Gateway.State;

namespace Sec0.Gateway.Tests.State;

public sealed class InMemoryIdempotencyStoreTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 14, 12, 0, 0, TimeSpan.Zero);
    private static readonly IdempotencyKey Key = new("tenant", "server", "tool@1", "key-1");
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Ttl = TimeSpan.FromHours(1);
    private static readonly StoredResponse Response = new(200, "application/json", Encoding.UTF8.GetBytes("{\"ok\":true}"));

    private readonly ManualTimeProvider _time = new(T0);
    private readonly InMemoryIdempotencyStore _store;

    public InMemoryIdempotencyStoreTests() => _store = new InMemoryIdempotencyStore(_time);

    private DateTimeOffset Now => _time.GetUtcNow();

    [Fact]
    public async Task Claim_complete_claim_replays_the_response()
    {
        var claim = await _store.ClaimAsync(Key, "h1", Lease, Now, CancellationToken.None);
        Assert.Equal(IdempotencyClaimKind.Claimed, claim.Kind);
        Assert.True(Guid.TryParse(claim.LeaseId, out _));
        Assert.Null(claim.Response);

        Assert.True(await _store.CompleteAsync(Key, claim.LeaseId!, Response, Ttl, Now, CancellationToken.None));

        var again = await _store.ClaimAsync(Key, "h1", Lease, Now, CancellationToken.None);
        Assert.Equal(IdempotencyClaimKind.Completed, again.Kind);
        Assert.Same(Response, again.Response);
        Assert.Null(again.LeaseId);
    }

    [Fact]
    public async Task In_flight_same_hash_is_in_flight_other_hash_is_mismatch()
    {
        var claim = await _store.ClaimAsync(Key, "h1", Lease, Now, CancellationToken.None);
        Assert.Equal(IdempotencyClaimKind.Claimed, claim.Kind);

        var same = await _store.ClaimAsync(Key, "h1", Lease, Now, CancellationToken.None);
        Assert.Equal(IdempotencyClaimKind.InFlight, same.Kind);
        Assert.Null(same.LeaseId);

        Assert.Equal(IdempotencyClaimKind.Mismatch, (await _store.ClaimAsync(Key, "h2", Lease, Now, CancellationToken.None)).Kind);
        Assert.Equal(IdempotencyClaimKind.Mismatch, (await _store.WaitAsync(Key, "h2", Lease, TimeSpan.FromSeconds(5), _time, CancellationToken.None)).Kind);
    }

    [Fact]
    public async Task Completed_other_hash_is_mismatch()
    {
        var claim = await _store.ClaimAsync(Key, "h1", Lease, Now, CancellationToken.None);
        await _store.CompleteAsync(Key, claim.LeaseId!, Response, Ttl, Now, CancellationToken.None);

        var other = await _store.ClaimAsync(Key, "h2", Lease, Now, CancellationToken.None);
        Assert.Equal(IdempotencyClaimKind.Mismatch, other.Kind);
        Assert.Null(other.Response);
        Assert.Equal(IdempotencyClaimKind.Mismatch, (await _store.WaitAsync(Key, "h2", Lease, TimeSpan.FromSeconds(5), _time, CancellationToken.None)).Kind);
    }

    [Fact]
    public async Task Thousand_concurrent_claims_exactly_one_wins()
    {
        var claims = await Concurrently.Run(1000, () => _store.ClaimAsync(Key, "h1", Lease, Now, CancellationToken.None));

        Assert.Single(claims, c => c.Kind == IdempotencyClaimKind.Claimed);
        Assert.Equal(999, claims.Count(c => c.Kind == IdempotencyClaimKind.InFlight));
    }

    [Fact]
    public async Task Claim_release_churn_never_two_holders()
    {
        // Each winner holds the key a moment, then releases it (which drops the record, so racing claims often hold
        // a slot that was just removed): at no time may two callers hold the key.
        var holders = 0;
        var overlaps = 0;
        var wins = 0;
        await Concurrently.Run(100_000, async () =>
        {
            var claim = await _store.ClaimAsync(Key, "h1", Lease, Now, CancellationToken.None);
            if (claim.Kind == IdempotencyClaimKind.Claimed)
            {
                Interlocked.Increment(ref wins);
                if (Interlocked.Increment(ref holders) != 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                Thread.SpinWait(50);
                Interlocked.Decrement(ref holders);
                await _store.ReleaseAsync(Key, claim.LeaseId!, CancellationToken.None);
            }

            return claim.Kind;
        });

        Assert.Equal(0, overlaps);
        Assert.True(wins > 1);
    }

    [Fact]
    public async Task Thousand_concurrent_claims_and_waits_after_a_release_exactly_one_wins()
    {
        var first = await _store.ClaimAsync(Key, "h1", Lease, Now, CancellationToken.None);
        await _store.ReleaseAsync(Key, first.LeaseId!, CancellationToken.None);

        var n = 0;
        var claims = await Concurrently.Run(1000, () => Interlocked.Increment(ref n) % 2 == 0
            ? _store.ClaimAsync(Key, "h1", Lease, Now, CancellationToken.None)
            : _store.WaitAsync(Key, "h1", Lease, TimeSpan.Zero, _time, CancellationToken.None));

        Assert.Single(claims, c => c.Kind == IdempotencyClaimKind.Claimed);
    }

    [Fact]
    public async Task Concurrent_waiters_all_get_the_response_when_the_winner_completes()
    {
        var claim = await _store.ClaimAsync(Key, "h1", Lease, Now, CancellationToken.None);
        var waiters = Enumerable.Range(0, 50)
            .Select(_ => _store.WaitAsync(Key, "h1", Lease, TimeSpan.FromSeconds(10), _time, CancellationToken.None).AsTask())
            .ToArray();
        Assert.All(waiters, w => Assert.False(w.IsCompleted));

        Assert.True(await _store.CompleteAsync(Key, claim.LeaseId!, Response, Ttl, Now, CancellationToken.None));

        var results = await Task.WhenAll(waiters).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(results, r =>
        {
            Assert.Equal(IdempotencyClaimKind.Completed, r.Kind);
            Assert.Same(Response, r.Response);
        });

        // No waiter left a timer behind.
        Assert.Equal(0, _time.ActiveTimers);
    }

    [Fact]
    public async Task Release_lets_exactly_one_waiter_claim()
    {
        var claim = await _store.ClaimAsync(Key, "h1", Lease, Now, CancellationToken.None);
        var waiters = Enumerable.Range(0, 20)
            .Select(_ => _store.WaitAsync(Key, "h1", Lease, TimeSpan.FromSeconds(10), _time, CancellationToken.None).AsTask())
            .ToArray();

        await _store.ReleaseAsync(Key, claim.LeaseId!, CancellationToken.None);

        // One waiter claims; the others see its claim and go back to waiting.
        var winner = await await Task.WhenAny(waiters).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(IdempotencyClaimKind.Claimed, winner.Kind);
        Assert.NotEqual(claim.LeaseId, winner.LeaseId);
        await Task.Delay(50);
        Assert.Equal(1, waiters.Count(w => w.IsCompleted));

        // The new holder completes: the rest replay.
        Assert.True(await _store.CompleteAsync(Key, winner.LeaseId!, Response, Ttl, Now, CancellationToken.None));
        var results = await Task.WhenAll(waiters).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(results, r => r.Kind == IdempotencyClaimKind.Claimed);
        Assert.Equal(19, results.Count(r => r.Kind == IdempotencyClaimKind.Completed));
    }

    [Fact]
    public async Task Release_then_claim_executes_and_only_the_holder_can_release()
    {
        var claim = await _store.ClaimAsync(Key, "h1", Lease, Now, CancellationToken.None);

        // Another lease id does nothing.
        await _store.ReleaseAsync(Key, Guid.NewGuid().ToString(), CancellationToken.None);
        Assert.Equal(IdempotencyClaimKind.InFlight, (await _store.ClaimAsync(Key, "h1", Lease, Now, CancellationToken.None)).Kind);

        await _store.ReleaseAsync(Key, claim.LeaseId!, CancellationToken.None);
        Assert.False(await _store.CompleteAsync(Key, claim.LeaseId!, Response, Ttl, Now, CancellationToken.None));

        // After a release any body may claim the key: nothing was stored for it.
        Assert.Equal(IdempotencyClaimKind.Claimed, (await _store.ClaimAsync(Key, "h2", Lease, Now, CancellationToken.None)).Kind);
    }

    [Fact]
    public async Task Lease_expiry_next_claim_takes_over_old_lease_cannot_complete()
    {
        var old = await _store.ClaimAsync(Key, "h1", Lease, Now, CancellationToken.None);
        Assert.Equal(IdempotencyClaimKind.InFlight, (await _store.ClaimAsync(Key, "h1", Lease, T0 + Lease - TimeSpan.FromTicks(1), CancellationToken.None)).Kind);

        var taken = await _store.ClaimAsync(Key, "h1", Lease, T0 + Lease, CancellationToken.None);
        Assert.Equal(IdempotencyClaimKind.Claimed, taken.Kind);
        Assert.NotEqual(old.LeaseId, taken.LeaseId);

        Assert.False(await _store.CompleteAsync(Key, old.LeaseId!, Response, Ttl, T0 + Lease, CancellationToken.None));
        await _store.ReleaseAsync(Key, old.LeaseId!, CancellationToken.None);
        Assert.Equal(IdempotencyClaimKind.InFlight, (await _store.ClaimAsync(Key, "h1", Lease, T0 + Lease, CancellationToken.None)).Kind);

        Assert.True(await _store.CompleteAsync(Key, taken.LeaseId!, Response, Ttl, T0 + Lease, CancellationToken.None));
    }

    [Fact]
    public async Task Lease_expiry_without_takeover_holder_can_still_complete()
    {
        var claim = await _store.ClaimAsync(Key, "h1", Lease, Now, CancellationToken.None);
        Assert.True(await _store.CompleteAsync(Key, claim.LeaseId!, Response, Ttl, T0 + Lease + Lease, CancellationToken.None));
        Assert.Equal(IdempotencyClaimKind.Completed, (await _store.ClaimAsync(Key, "h1", Lease, T0 + Lease + Lease, CancellationToken.None)).Kind);
    }

    [Fact]
    public async Task Lease_expiry_wakes_a_waiter_which_claims()
    {
        await _store.ClaimAsync(Key, "h1", Lease, Now, CancellationToken.None);
        var waiter = _store.WaitAsync(Key, "h1", Lease, TimeSpan.FromMinutes(5), _time, CancellationToken.None).AsTask();
        Assert.False(waiter.IsCompleted);

        _time.Advance(Lease);

        var result = await waiter.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(IdempotencyClaimKind.Claimed, result.Kind);
    }

    [Fact]
    public async Task TTL_expiry_allows_a_new_claim()
    {
        var claim = await _store.ClaimAsync(Key, "h1", Lease, Now, CancellationToken.None);
        await _store.CompleteAsync(Key, claim.LeaseId!, Response, Ttl, T0, CancellationToken.None);

        Assert.Equal(IdempotencyClaimKind.Completed, (await _store.ClaimAsync(Key, "h1", Lease, T0 + Ttl - TimeSpan.FromTicks(1), CancellationToken.None)).Kind);

        // Past the TTL the key is free, even for another body.
        Assert.Equal(IdempotencyClaimKind.Claimed, (await _store.ClaimAsync(Key, "h2", Lease, T0 + Ttl, CancellationToken.None)).Kind);
    }

    [Fact]
    public async Task TTL_expiry_waiter_claims()
    {
        var claim = await _store.ClaimAsync(Key, "h1", Lease, Now, CancellationToken.None);
        await _store.CompleteAsync(Key, claim.LeaseId!, Response, Ttl, T0, CancellationToken.None);
        _time.Advance(Ttl);

        Assert.Equal(IdempotencyClaimKind.Claimed, (await _store.WaitAsync(Key, "h1", Lease, TimeSpan.FromSeconds(2), _time, CancellationToken.None)).Kind);
    }

    [Fact]
    public async Task Wait_times_out_with_in_flight()
    {
        await _store.ClaimAsync(Key, "h1", Lease, Now, CancellationToken.None);
        var waiter = _store.WaitAsync(Key, "h1", Lease, TimeSpan.FromSeconds(2), _time, CancellationToken.None).AsTask();

        _time.Advance(TimeSpan.FromSeconds(1.999));
        await Task.Delay(20);
        Assert.False(waiter.IsCompleted);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        var result = await waiter.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(IdempotencyClaimKind.InFlight, result.Kind);
        Assert.Null(result.LeaseId);
        Assert.Equal(0, _time.ActiveTimers);
    }

    [Fact]
    public async Task Wait_zero_timeout_looks_once()
    {
        await _store.ClaimAsync(Key, "h1", Lease, Now, CancellationToken.None);
        var result = _store.WaitAsync(Key, "h1", Lease, TimeSpan.Zero, _time, CancellationToken.None);
        Assert.True(result.IsCompleted);
        Assert.Equal(IdempotencyClaimKind.InFlight, (await result).Kind);
    }

    [Fact]
    public async Task Wait_on_a_free_key_claims_and_on_a_completed_key_replays()
    {
        var claimed = await _store.WaitAsync(Key, "h1", Lease, TimeSpan.FromSeconds(2), _time, CancellationToken.None);
        Assert.Equal(IdempotencyClaimKind.Claimed, claimed.Kind);
        await _store.CompleteAsync(Key, claimed.LeaseId!, Response, Ttl, Now, CancellationToken.None);

        var replay = await _store.WaitAsync(Key, "h1", Lease, TimeSpan.FromSeconds(2), _time, CancellationToken.None);
        Assert.Equal(IdempotencyClaimKind.Completed, replay.Kind);
        Assert.Same(Response, replay.Response);
    }

    [Fact]
    public async Task Wait_cancellation_throws_and_leaves_no_timer()
    {
        await _store.ClaimAsync(Key, "h1", Lease, Now, CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var waiter = _store.WaitAsync(Key, "h1", Lease, Timeout.InfiniteTimeSpan, _time, cts.Token).AsTask();
        Assert.False(waiter.IsCompleted);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, _time.ActiveTimers);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await _store.WaitAsync(Key, "h1", Lease, TimeSpan.FromSeconds(1), _time, cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await _store.ClaimAsync(Key, "h1", Lease, Now, cts.Token));
    }

    [Fact]
    public async Task Keys_are_scoped_by_tenant_server_and_tool()
    {
        var claim = await _store.ClaimAsync(Key, "h1", Lease, Now, CancellationToken.None);
        await _store.CompleteAsync(Key, claim.LeaseId!, Response, Ttl, Now, CancellationToken.None);

        IdempotencyKey[] others =
        [
            Key with { Tenant = "other" },
            Key with { Server = "other" },
            Key with { ToolAtVersion = "tool@2" },
            Key with { Key = "key-2" },
        ];
        foreach (var other in others)
        {
            Assert.Equal(IdempotencyClaimKind.Claimed, (await _store.ClaimAsync(other, "h2", Lease, Now, CancellationToken.None)).Kind);
        }

        Assert.Equal(IdempotencyClaimKind.Completed, (await _store.ClaimAsync(Key, "h1", Lease, Now, CancellationToken.None)).Kind);
    }

    [Fact]
    public async Task Sweep_removes_expired_records_and_lapsed_claims_keeps_live_ones()
    {
        var done = await _store.ClaimAsync(Key, "h1", Lease, Now, CancellationToken.None);
        await _store.CompleteAsync(Key, done.LeaseId!, Response, Ttl, T0, CancellationToken.None);
        var lapsed = await _store.ClaimAsync(Key with { Key = "lapsed" }, "h1", Lease, T0, CancellationToken.None);
        await _store.ClaimAsync(Key with { Key = "live" }, "h1", TimeSpan.FromDays(1), T0, CancellationToken.None);
        Assert.Equal(3, _store.RecordCount);

        _store.Sweep(T0 + Ttl);
        Assert.Equal(1, _store.RecordCount);

        // A swept claim is lost to its holder.
        Assert.False(await _store.CompleteAsync(Key with { Key = "lapsed" }, lapsed.LeaseId!, Response, Ttl, T0 + Ttl, CancellationToken.None));
    }

    [Fact]
    public async Task Sweep_runs_by_itself_so_expired_keys_do_not_accumulate()
    {
        for (var i = 0; i < 5000; i++)
        {
            var key = Key with { Key = $"k{i}" };
            var claim = await _store.ClaimAsync(key, "h", Lease, Now, CancellationToken.None);
            await _store.CompleteAsync(key, claim.LeaseId!, Response, TimeSpan.FromSeconds(1), Now, CancellationToken.None);
            _time.Advance(TimeSpan.FromMilliseconds(10));
        }

        // Records live 1 s = 100 iterations; without the sweep all 5,000 would be there.
        Assert.True(_store.RecordCount <= 1200, $"{_store.RecordCount} records");
    }

    [Fact]
    public async Task Rejects_invalid_arguments()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await _store.ClaimAsync(Key, "h", TimeSpan.Zero, Now, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await _store.CompleteAsync(Key, "l", Response, TimeSpan.Zero, Now, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await _store.WaitAsync(Key, "h", Lease, TimeSpan.FromSeconds(-2), _time, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(async () => await _store.ClaimAsync(default, "h", Lease, Now, CancellationToken.None));
        Assert.Throws<ArgumentNullException>(() => new InMemoryIdempotencyStore(null!));
    }
}

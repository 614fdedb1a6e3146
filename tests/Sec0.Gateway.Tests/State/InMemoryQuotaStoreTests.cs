using Sec0.Gateway.State;

namespace Sec0.Gateway.Tests.State;

public sealed class InMemoryQuotaStoreTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 14, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Thousand_concurrent_takes_allow_exactly_the_burst()
    {
        var store = new InMemoryQuotaStore();
        var decisions = await Concurrently.Run(1000, () => store.TryTakeAsync("t", "srv:tool@1", 0.0001, 100, T0, CancellationToken.None));

        Assert.Equal(100, decisions.Count(d => d.Allowed));
        Assert.All(decisions.Where(d => !d.Allowed), d => Assert.True(d.RetryAfter > TimeSpan.FromHours(2)));
    }

    [Fact]
    public async Task Thousand_concurrent_counts_allow_exactly_the_limit()
    {
        var store = new InMemoryQuotaStore();
        var decisions = await Concurrently.Run(1000, () => store.TryCountAsync("t", "srv:tool@1", 100, T0, CancellationToken.None));

        Assert.Equal(100, decisions.Count(d => d.Allowed));

        // Each allowed call saw a distinct remaining count: 99 down to 0.
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), decisions.Where(d => d.Allowed).Select(d => d.Remaining).Order());
        Assert.All(decisions.Where(d => !d.Allowed), d => Assert.Equal(0, d.Remaining));
    }

    [Fact]
    public async Task Long_contention_loses_no_update()
    {
        // 100,000 calls racing for one key whose allowance is half of them: every call until the allowance is gone
        // writes the shared state, so a lost update (two takes seen as one) would let more than half through.
        var store = new InMemoryQuotaStore();
        var decisions = await Concurrently.Run(100_000, async () =>
        {
            var rate = await store.TryTakeAsync("t", "x", 0.0001, 50_000, T0, CancellationToken.None);
            var daily = await store.TryCountAsync("t", "x", 50_000, T0, CancellationToken.None);
            return (Rate: rate.Allowed, Daily: daily.Allowed);
        });

        Assert.Equal(50_000, decisions.Count(d => d.Rate));
        Assert.Equal(50_000, decisions.Count(d => d.Daily));
    }

    [Fact]
    public async Task Bucket_starts_full_then_refuses_with_exact_retry_after()
    {
        var store = new InMemoryQuotaStore();
        for (var i = 0; i < 5; i++)
        {
            var d = await store.TryTakeAsync("t", "x", 10, 5, T0, CancellationToken.None);
            Assert.True(d.Allowed);
            Assert.Equal(4 - i, d.Remaining);
        }

        var refused = await store.TryTakeAsync("t", "x", 10, 5, T0, CancellationToken.None);
        Assert.False(refused.Allowed);
        Assert.Equal(0, refused.Remaining);
        Assert.Equal(TimeSpan.FromMilliseconds(100), refused.RetryAfter);

        // 40 ms later: 0.4 token, 60 ms to go.
        refused = await store.TryTakeAsync("t", "x", 10, 5, T0.AddMilliseconds(40), CancellationToken.None);
        Assert.False(refused.Allowed);
        Assert.Equal(TimeSpan.FromMilliseconds(60), refused.RetryAfter);

        // Exactly when it said: the token is there.
        Assert.True((await store.TryTakeAsync("t", "x", 10, 5, T0.AddMilliseconds(100), CancellationToken.None)).Allowed);
    }

    [Fact]
    public async Task Bucket_refills_at_the_rate_up_to_the_burst()
    {
        var store = new InMemoryQuotaStore();
        Assert.Equal(100, await CountAllowed(store, T0, 200, rate: 10, burst: 100));

        // One second at 10/s: exactly 10 more.
        Assert.Equal(10, await CountAllowed(store, T0.AddSeconds(1), 200, rate: 10, burst: 100));

        // A long idle time refills to the burst, not beyond.
        Assert.Equal(100, await CountAllowed(store, T0.AddHours(1), 200, rate: 10, burst: 100));
    }

    [Fact]
    public async Task Bucket_keeps_fractional_tokens()
    {
        var store = new InMemoryQuotaStore();
        Assert.Equal(1, await CountAllowed(store, T0, 5, rate: 0.1, burst: 1));

        // Ten steps of one second at 0.1/s add up to one token despite the rounding of 0.1.
        for (var s = 1; s < 10; s++)
        {
            Assert.False((await store.TryTakeAsync("t", "x", 0.1, 1, T0.AddSeconds(s), CancellationToken.None)).Allowed);
        }

        Assert.True((await store.TryTakeAsync("t", "x", 0.1, 1, T0.AddSeconds(10), CancellationToken.None)).Allowed);
    }

    [Fact]
    public async Task Bucket_at_rate_zero_never_refills()
    {
        var store = new InMemoryQuotaStore();
        Assert.Equal(2, await CountAllowed(store, T0, 5, rate: 0, burst: 2));
        var refused = await store.TryTakeAsync("t", "x", 0, 2, T0.AddDays(30), CancellationToken.None);
        Assert.False(refused.Allowed);
        Assert.Equal(TimeSpan.MaxValue, refused.RetryAfter);
    }

    [Fact]
    public async Task Bucket_an_earlier_now_refills_nothing()
    {
        var store = new InMemoryQuotaStore();
        Assert.Equal(1, await CountAllowed(store, T0, 5, rate: 1, burst: 1));
        Assert.False((await store.TryTakeAsync("t", "x", 1, 1, T0.AddSeconds(-10), CancellationToken.None)).Allowed);
        Assert.True((await store.TryTakeAsync("t", "x", 1, 1, T0.AddSeconds(1), CancellationToken.None)).Allowed);
    }

    [Fact]
    public async Task Daily_resets_at_UTC_midnight_and_reset_at_is_midnight()
    {
        var store = new InMemoryQuotaStore();
        var evening = new DateTimeOffset(2025, 3, 14, 23, 59, 59, TimeSpan.Zero);
        var midnight = new DateTimeOffset(2025, 3, 15, 0, 0, 0, TimeSpan.Zero);

        // First call late in the day: the reset is still tonight's midnight (the TS gateway said first call + 24 h).
        var first = await store.TryCountAsync("t", "x", 2, evening, CancellationToken.None);
        Assert.True(first.Allowed);
        Assert.Equal(1, first.Remaining);
        Assert.Equal(midnight, first.ResetAt);
        Assert.True((await store.TryCountAsync("t", "x", 2, evening, CancellationToken.None)).Allowed);

        var refused = await store.TryCountAsync("t", "x", 2, evening, CancellationToken.None);
        Assert.False(refused.Allowed);
        Assert.Equal(0, refused.Remaining);
        Assert.Equal(midnight, refused.ResetAt);

        var next = await store.TryCountAsync("t", "x", 2, midnight, CancellationToken.None);
        Assert.True(next.Allowed);
        Assert.Equal(1, next.Remaining);
        Assert.Equal(midnight.AddDays(1), next.ResetAt);
    }

    [Fact]
    public async Task Daily_uses_the_UTC_date_of_an_offset_time()
    {
        var store = new InMemoryQuotaStore();

        // 01:30 at +02:00 is 23:30 UTC of the day before.
        var local = new DateTimeOffset(2025, 3, 15, 1, 30, 0, TimeSpan.FromHours(2));
        var d = await store.TryCountAsync("t", "x", 1, local, CancellationToken.None);
        Assert.Equal(new DateTimeOffset(2025, 3, 15, 0, 0, 0, TimeSpan.Zero), d.ResetAt);
    }

    [Fact]
    public async Task Daily_refused_calls_are_not_counted()
    {
        var store = new InMemoryQuotaStore();
        Assert.True((await store.TryCountAsync("t", "x", 1, T0, CancellationToken.None)).Allowed);
        for (var i = 0; i < 5; i++)
        {
            Assert.False((await store.TryCountAsync("t", "x", 1, T0, CancellationToken.None)).Allowed);
        }

        // A raised limit (config reload) gives exactly the difference, the refusals having counted nothing.
        Assert.True((await store.TryCountAsync("t", "x", 2, T0, CancellationToken.None)).Allowed);
        Assert.False((await store.TryCountAsync("t", "x", 2, T0, CancellationToken.None)).Allowed);
    }

    [Fact]
    public async Task Daily_limit_zero_refuses_everything()
    {
        var store = new InMemoryQuotaStore();
        var d = await store.TryCountAsync("t", "x", 0, T0, CancellationToken.None);
        Assert.False(d.Allowed);
        Assert.Equal(0, d.Remaining);
    }

    [Fact]
    public async Task Keys_are_independent_per_tenant_and_tool()
    {
        var store = new InMemoryQuotaStore();
        Assert.Equal(1, await CountAllowed(store, T0, 3, rate: 0.0001, burst: 1, tenant: "a", tool: "x"));
        Assert.Equal(1, await CountAllowed(store, T0, 3, rate: 0.0001, burst: 1, tenant: "b", tool: "x"));
        Assert.Equal(1, await CountAllowed(store, T0, 3, rate: 0.0001, burst: 1, tenant: "a", tool: "y"));

        Assert.True((await store.TryCountAsync("a", "x", 1, T0, CancellationToken.None)).Allowed);
        Assert.True((await store.TryCountAsync("b", "x", 1, T0, CancellationToken.None)).Allowed);
        Assert.True((await store.TryCountAsync("a", "y", 1, T0, CancellationToken.None)).Allowed);
        Assert.False((await store.TryCountAsync("a", "x", 1, T0, CancellationToken.None)).Allowed);
    }

    [Fact]
    public async Task Sweep_drops_past_days_and_full_buckets_keeps_the_rest()
    {
        var store = new InMemoryQuotaStore();
        await store.TryCountAsync("t", "old-day", 10, T0, CancellationToken.None);
        await store.TryTakeAsync("t", "refills", 1, 10, T0, CancellationToken.None);
        await store.TryTakeAsync("t", "never-refills", 0, 10, T0, CancellationToken.None);
        Assert.Equal(3, store.EntryCount);

        // Next day: the daily entry is past; the 1/s bucket is full again; the rate-0 bucket never will be.
        store.Sweep(T0.AddDays(1));
        Assert.Equal(1, store.EntryCount);

        // The removed bucket comes back full, the kept one still misses its token.
        Assert.Equal(10, await CountAllowed(store, T0.AddDays(1), 20, rate: 1, burst: 10, tool: "refills"));
        Assert.Equal(9, await CountAllowed(store, T0.AddDays(1), 20, rate: 0, burst: 10, tool: "never-refills"));
    }

    [Fact]
    public async Task Sweep_runs_by_itself_so_many_keys_do_not_accumulate()
    {
        var store = new InMemoryQuotaStore();
        for (var day = 0; day < 5; day++)
        {
            for (var i = 0; i < 2000; i++)
            {
                await store.TryCountAsync("t", $"tool{i}-{day}", 10, T0.AddDays(day), CancellationToken.None);
            }
        }

        // Without the sweep there would be 10,000 entries; past days are gone.
        Assert.True(store.EntryCount <= 4000, $"{store.EntryCount} entries");
    }

    [Fact]
    public async Task Rejects_invalid_arguments_and_cancellation()
    {
        var store = new InMemoryQuotaStore();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.TryTakeAsync("t", "x", -1, 1, T0, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.TryTakeAsync("t", "x", double.NaN, 1, T0, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.TryTakeAsync("t", "x", 1, 0, T0, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.TryCountAsync("t", "x", -1, T0, CancellationToken.None));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.TryCountAsync("t", "x", 1, T0, new CancellationToken(true)));
    }

    private static async Task<int> CountAllowed(InMemoryQuotaStore store, DateTimeOffset now, int attempts, double rate, int burst, string tenant = "t", string tool = "x")
    {
        var allowed = 0;
        for (var i = 0; i < attempts; i++)
        {
            if ((await store.TryTakeAsync(tenant, tool, rate, burst, now, CancellationToken.None)).Allowed)
            {
                allowed++;
            }
        }

        return allowed;
    }
}

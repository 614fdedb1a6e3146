using System.Diagnostics;
using Npgsql;
using Sec0.Gateway.State;
using Sec0.Gateway.State.Postgres;

namespace Sec0.Gateway.Tests.Postgres;

/// <summary>
/// The PostgreSQL stores against a real cluster, several store instances (each with its own connection pool, as
/// replicas have) over one schema: exactly-once claims, exact quotas, migrations, notifications and expiry.
/// </summary>
[Collection("postgres")]
public sealed class PostgresStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(10);

    private readonly PostgresServer _server;

    public PostgresStoreTests(PostgresServer server) => _server = server;

    [Fact]
    public async Task Migrations_are_versioned_idempotent_and_applied_once_under_concurrent_starts()
    {
        var schema = new PostgresGatewaySchema(_server.NewSchema());
        var sources = Enumerable.Range(0, 5).Select(_ => _server.CreateDataSource()).ToArray();
        try
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var starts = sources.Select(async s =>
            {
                await gate.Task;
                return await schema.MigrateAsync(s, null, CancellationToken.None);
            }).ToArray();
            gate.SetResult();
            var applied = await Task.WhenAll(starts);

            // Exactly one start applied versions 1 and 2; the others waited on the lock and found them done.
            Assert.Single(applied, a => a.SequenceEqual([1, 2]));
            Assert.Equal(4, applied.Count(a => a.Count == 0));
            Assert.Equal([1, 2], await schema.GetAppliedVersionsAsync(sources[0], CancellationToken.None));
            Assert.Empty(await schema.MigrateAsync(sources[0], null, CancellationToken.None));

            await using var count = sources[0].CreateCommand($"SELECT count(*) FROM pg_tables WHERE schemaname = '{schema.SchemaName}'");
            Assert.Equal(6L, await count.ExecuteScalarAsync());
        }
        finally
        {
            foreach (var s in sources)
            {
                await s.DisposeAsync();
            }
        }
    }

    [Theory]
    [InlineData("Public")]
    [InlineData("x; DROP TABLE y")]
    [InlineData("\"quoted\"")]
    [InlineData("1abc")]
    [InlineData("")]
    public void Schema_name_must_be_a_plain_identifier(string name)
    {
        var ex = Assert.Throws<ArgumentException>(() => new PostgresGatewaySchema(name));
        Assert.Contains("lower-case identifier", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_with_an_unreachable_database_fails_at_start_up_naming_the_cause()
    {
        var port = _server.Port + 1;
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => PostgresGatewayState.OpenAsync(
            $"Host=127.0.0.1;Port={port};Username=postgres;Timeout=2", "public", TimeProvider.System, null, CancellationToken.None));
        Assert.True(ex is NpgsqlException or System.Net.Sockets.SocketException, ex.ToString());
    }

    [Fact]
    public async Task Open_with_a_bad_connection_string_says_so_without_repeating_it()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => PostgresGatewayState.OpenAsync(
            "Host=127.0.0.1;Pasword=secret-value", "public", TimeProvider.System, null, CancellationToken.None));
        Assert.StartsWith("The PostgreSQL connection string is not valid", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Claim_complete_on_one_replica_replays_on_another_and_other_bodies_mismatch()
    {
        await using var replicas = await Replicas.OpenAsync(_server, 2);
        var (a, b) = (replicas[0].Idempotency, replicas[1].Idempotency);
        var key = new IdempotencyKey("acme", "files", "read@1", "k1");

        var first = await a.ClaimAsync(key, "h1", Lease, T0, default);
        Assert.Equal(IdempotencyClaimKind.Claimed, first.Kind);
        Assert.Equal(IdempotencyClaimKind.InFlight, (await b.ClaimAsync(key, "h1", Lease, T0, default)).Kind);
        Assert.Equal(IdempotencyClaimKind.Mismatch, (await b.ClaimAsync(key, "h2", Lease, T0, default)).Kind);

        var body = "{\"ok\":true}"u8.ToArray();
        Assert.True(await a.CompleteAsync(key, first.LeaseId!, new StoredResponse(200, "application/json", body), Ttl, T0, default));

        var replay = await b.ClaimAsync(key, "h1", Lease, T0.AddSeconds(1), default);
        Assert.Equal(IdempotencyClaimKind.Completed, replay.Kind);
        Assert.Equal(200, replay.Response!.StatusCode);
        Assert.Equal("application/json", replay.Response.ContentType);
        Assert.Equal(body, replay.Response.Body);
        Assert.Equal(IdempotencyClaimKind.Mismatch, (await b.ClaimAsync(key, "h2", Lease, T0, default)).Kind);

        // Scoped: the same key in another tenant, server or tool is another record.
        Assert.Equal(IdempotencyClaimKind.Claimed, (await b.ClaimAsync(key with { Tenant = "other" }, "h1", Lease, T0, default)).Kind);
        Assert.Equal(IdempotencyClaimKind.Claimed, (await b.ClaimAsync(key with { Server = "other" }, "h1", Lease, T0, default)).Kind);
        Assert.Equal(IdempotencyClaimKind.Claimed, (await b.ClaimAsync(key with { ToolAtVersion = "read@2" }, "h1", Lease, T0, default)).Kind);
    }

    [Fact]
    public async Task Thousand_concurrent_claims_over_three_replicas_exactly_one_wins()
    {
        await using var replicas = await Replicas.OpenAsync(_server, 3);
        var key = new IdempotencyKey("acme", "files", "read@1", "race");
        var claims = await Race(1000, i => replicas[i % 3].Idempotency.ClaimAsync(key, "h", Lease, T0, default));
        Assert.Single(claims, c => c.Kind == IdempotencyClaimKind.Claimed);
        Assert.Equal(999, claims.Count(c => c.Kind == IdempotencyClaimKind.InFlight));
    }

    [Fact]
    public async Task Waiters_on_other_replicas_are_woken_by_the_notification_and_get_the_response()
    {
        // A 30 s polling interval: only the NOTIFY can wake the waiters within the test's bound.
        await using var replicas = await Replicas.OpenAsync(_server, 3, pollInterval: TimeSpan.FromSeconds(30));
        var key = new IdempotencyKey("acme", "files", "read@1", "wake");

        // The waiters read the system clock: the holder's lease must be live on it.
        var holder = await replicas[0].Idempotency.ClaimAsync(key, "h", Lease, DateTimeOffset.UtcNow, default);
        var waiters = Enumerable.Range(0, 30)
            .Select(i => replicas[1 + (i % 2)].Idempotency.WaitAsync(key, "h", Lease, TimeSpan.FromMinutes(1), TimeProvider.System, default).AsTask())
            .ToArray();
        await Task.Delay(300);
        Assert.All(waiters, w => Assert.False(w.IsCompleted));

        var clock = Stopwatch.StartNew();
        Assert.True(await replicas[0].Idempotency.CompleteAsync(key, holder.LeaseId!, new StoredResponse(200, "application/json", [1, 2, 3]), Ttl, DateTimeOffset.UtcNow, default));
        var results = await Task.WhenAll(waiters).WaitAsync(TimeSpan.FromSeconds(10));
        clock.Stop();

        Assert.All(results, r => Assert.Equal(IdempotencyClaimKind.Completed, r.Kind));
        Assert.All(results, r => Assert.Equal(new byte[] { 1, 2, 3 }, r.Response!.Body));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the waiters took {clock.Elapsed} to wake");
    }

    [Fact]
    public async Task Release_lets_exactly_one_waiter_across_replicas_claim()
    {
        await using var replicas = await Replicas.OpenAsync(_server, 3, pollInterval: TimeSpan.FromSeconds(30));
        var key = new IdempotencyKey("acme", "files", "read@1", "release");
        var holder = await replicas[0].Idempotency.ClaimAsync(key, "h", Lease, DateTimeOffset.UtcNow, default);
        var waiters = Enumerable.Range(0, 20)
            .Select(i => replicas[1 + (i % 2)].Idempotency.WaitAsync(key, "h", Lease, TimeSpan.FromSeconds(3), TimeProvider.System, default).AsTask())
            .ToArray();
        await Task.Delay(200);

        // A lease id that does not hold the key changes nothing.
        await replicas[1].Idempotency.ReleaseAsync(key, Guid.NewGuid().ToString(), default);
        await replicas[1].Idempotency.ReleaseAsync(key, "not-a-lease", default);
        await Task.Delay(200);
        Assert.All(waiters, w => Assert.False(w.IsCompleted));

        await replicas[0].Idempotency.ReleaseAsync(key, holder.LeaseId!, default);
        var results = await Task.WhenAll(waiters).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Single(results, r => r.Kind == IdempotencyClaimKind.Claimed);
        Assert.Equal(19, results.Count(r => r.Kind == IdempotencyClaimKind.InFlight));
    }

    [Fact]
    public async Task Lease_expiry_another_replica_takes_over_and_the_old_holder_cannot_complete()
    {
        await using var replicas = await Replicas.OpenAsync(_server, 2);
        var key = new IdempotencyKey("acme", "files", "read@1", "lease");
        var dead = await replicas[0].Idempotency.ClaimAsync(key, "h", Lease, T0, default);

        Assert.Equal(IdempotencyClaimKind.InFlight, (await replicas[1].Idempotency.ClaimAsync(key, "h", Lease, T0 + Lease - TimeSpan.FromMilliseconds(1), default)).Kind);
        var takeover = await replicas[1].Idempotency.ClaimAsync(key, "h", Lease, T0 + Lease, default);
        Assert.Equal(IdempotencyClaimKind.Claimed, takeover.Kind);
        Assert.NotEqual(dead.LeaseId, takeover.LeaseId);

        Assert.False(await replicas[0].Idempotency.CompleteAsync(key, dead.LeaseId!, new StoredResponse(200, "application/json", [9]), Ttl, T0 + Lease, default));
        Assert.True(await replicas[1].Idempotency.CompleteAsync(key, takeover.LeaseId!, new StoredResponse(200, "application/json", [7]), Ttl, T0 + Lease, default));
        Assert.Equal(new byte[] { 7 }, (await replicas[0].Idempotency.ClaimAsync(key, "h", Lease, T0 + Lease, default)).Response!.Body);
    }

    [Fact]
    public async Task Concurrent_completions_are_batched_and_each_reports_its_own_lease()
    {
        // A 30 s polling interval: only the batch's notifications can wake the waiters in time.
        await using var replicas = await Replicas.OpenAsync(_server, 2, pollInterval: TimeSpan.FromSeconds(30));
        var t0 = DateTimeOffset.UtcNow;
        const int Keys = 400;
        var keys = Enumerable.Range(0, Keys).Select(i => new IdempotencyKey("acme", "files", "read@1", $"batch-{i}")).ToArray();
        var leases = new string[Keys];
        for (var i = 0; i < Keys; i++)
        {
            leases[i] = (await replicas[0].Idempotency.ClaimAsync(keys[i], "h", Lease, t0, default)).LeaseId!;
        }

        // Every fifth key's lease ran out and replica 1 took it over: replica 0's completion of it must fail, in a batch too.
        var later = t0 + Lease;
        var takenOver = new Dictionary<int, string>();
        for (var i = 0; i < Keys; i += 5)
        {
            takenOver[i] = (await replicas[1].Idempotency.ClaimAsync(keys[i], "h", Lease, later, default)).LeaseId!;
        }

        // Waiters on the system clock, where the first holders' leases are live.
        var waited = new[] { 1, 2, 3, 398, 399 };
        var waiters = waited.Select(i => replicas[1].Idempotency.WaitAsync(keys[i], "h", Lease, TimeSpan.FromMinutes(1), TimeProvider.System, default).AsTask()).ToArray();
        await Task.Delay(200);
        Assert.All(waiters, w => Assert.False(w.IsCompleted));

        var before = replicas[0].Idempotency.CompletionStatements;
        var completed = await Race(Keys, i => replicas[0].Idempotency.CompleteAsync(keys[i], leases[i], new StoredResponse(200, "application/json", [(byte)(i % 251), 1]), Ttl, later, default));
        var statements = replicas[0].Idempotency.CompletionStatements - before;

        for (var i = 0; i < Keys; i++)
        {
            Assert.Equal(!takenOver.ContainsKey(i), completed[i]);
        }

        Assert.True(statements < Keys / 2, $"{Keys} concurrent completions took {statements} statements");
        var woken = await Task.WhenAll(waiters).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(woken, w => Assert.Equal(IdempotencyClaimKind.Completed, w.Kind));

        // Each body went to its own key (the batch maps rows back by position), and a taken-over key kept its new holder.
        for (var i = 0; i < Keys; i++)
        {
            var claim = await replicas[1].Idempotency.ClaimAsync(keys[i], "h", Lease, later, default);
            if (takenOver.ContainsKey(i))
            {
                Assert.Equal(IdempotencyClaimKind.InFlight, claim.Kind);
            }
            else
            {
                Assert.Equal(IdempotencyClaimKind.Completed, claim.Kind);
                Assert.Equal(new byte[] { (byte)(i % 251), 1 }, claim.Response!.Body);
            }
        }
    }

    [Fact]
    public async Task Concurrent_takeovers_of_an_expired_lease_exactly_one_wins()
    {
        await using var replicas = await Replicas.OpenAsync(_server, 3);
        var key = new IdempotencyKey("acme", "files", "read@1", "takeover");
        await replicas[0].Idempotency.ClaimAsync(key, "h", Lease, T0, default);
        var later = T0 + Lease + TimeSpan.FromSeconds(1);
        var claims = await Race(300, i => replicas[i % 3].Idempotency.ClaimAsync(key, "h", Lease, later, default));
        Assert.Single(claims, c => c.Kind == IdempotencyClaimKind.Claimed);
    }

    [Fact]
    public async Task TTL_expiry_allows_a_new_claim_and_cleanup_removes_expired_rows_only()
    {
        await using var replicas = await Replicas.OpenAsync(_server, 1);
        var store = replicas[0].Idempotency;
        var done = new IdempotencyKey("acme", "files", "read@1", "done");
        var live = new IdempotencyKey("acme", "files", "read@1", "live");
        var lapsed = new IdempotencyKey("acme", "files", "read@1", "lapsed");
        var c = await store.ClaimAsync(done, "h", Lease, T0, default);
        await store.CompleteAsync(done, c.LeaseId!, new StoredResponse(200, "application/json", [1]), Ttl, T0, default);
        await store.ClaimAsync(lapsed, "h", Lease, T0, default);
        await store.ClaimAsync(live, "h", TimeSpan.FromHours(1), T0, default);

        Assert.Equal(IdempotencyClaimKind.Completed, (await store.ClaimAsync(done, "h", Lease, T0 + Ttl - TimeSpan.FromSeconds(1), default)).Kind);
        Assert.Equal(2, await store.CleanupAsync(T0 + Ttl, default));
        Assert.Equal(IdempotencyClaimKind.InFlight, (await store.ClaimAsync(live, "h", Lease, T0 + Ttl, default)).Kind);
        Assert.Equal(IdempotencyClaimKind.Claimed, (await store.ClaimAsync(done, "other-body", Lease, T0 + Ttl, default)).Kind);
    }

    [Fact]
    public async Task Quota_thousand_concurrent_takes_over_three_replicas_allow_exactly_the_burst()
    {
        await using var replicas = await Replicas.OpenAsync(_server, 3);
        var decisions = await Race(1000, i => replicas[i % 3].Quotas.TryTakeAsync("acme", "files:read@1", 0, 100, T0, default));
        Assert.Equal(100, decisions.Count(d => d.Allowed));
        Assert.All(decisions.Where(d => !d.Allowed), d => Assert.Equal(TimeSpan.MaxValue, d.RetryAfter));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i).ToHashSet(), decisions.Where(d => d.Allowed).Select(d => d.Remaining).ToHashSet());
    }

    [Fact]
    public async Task Quota_thousand_concurrent_counts_over_three_replicas_allow_exactly_the_limit()
    {
        await using var replicas = await Replicas.OpenAsync(_server, 3);
        var decisions = await Race(1000, i => replicas[i % 3].Quotas.TryCountAsync("acme", "files:read@1", 100, T0, default));
        Assert.Equal(100, decisions.Count(d => d.Allowed));
        Assert.All(decisions, d => Assert.Equal(new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero), d.ResetAt));

        // Refused calls were not counted: the next day starts from 0, and the count shows exactly 100.
        await using var source = _server.CreateDataSource();
        await using var read = source.CreateCommand($"SELECT count FROM {replicas.Schema}.sec0_quota_daily");
        Assert.Equal(100L, await read.ExecuteScalarAsync());
        Assert.Equal(99, (await replicas[1].Quotas.TryCountAsync("acme", "files:read@1", 100, T0.AddDays(1), default)).Remaining);
        Assert.False((await replicas[1].Quotas.TryCountAsync("acme", "files:read@1", 0, T0.AddDays(1), default)).Allowed);
    }

    [Fact]
    public async Task Quota_bucket_refills_at_the_rate_with_exact_retry_after_and_an_earlier_now_refills_nothing()
    {
        await using var replicas = await Replicas.OpenAsync(_server, 2);
        var (a, b) = (replicas[0].Quotas, replicas[1].Quotas);
        Assert.Equal(new RateDecision(true, 1, TimeSpan.Zero), await a.TryTakeAsync("acme", "t", 2, 2, T0, default));
        Assert.Equal(new RateDecision(true, 0, TimeSpan.Zero), await b.TryTakeAsync("acme", "t", 2, 2, T0, default));
        Assert.Equal(new RateDecision(false, 0, TimeSpan.FromMilliseconds(500)), await a.TryTakeAsync("acme", "t", 2, 2, T0, default));

        // A replica whose clock is behind refills nothing.
        Assert.False((await b.TryTakeAsync("acme", "t", 2, 2, T0 - TimeSpan.FromSeconds(10), default)).Allowed);

        var refused = await b.TryTakeAsync("acme", "t", 2, 2, T0 + TimeSpan.FromMilliseconds(250), default);
        Assert.False(refused.Allowed);
        Assert.Equal(TimeSpan.FromMilliseconds(250), refused.RetryAfter);
        Assert.True((await a.TryTakeAsync("acme", "t", 2, 2, T0 + TimeSpan.FromMilliseconds(500), default)).Allowed);

        // Never beyond the burst, however long the pause.
        Assert.Equal(1, (await a.TryTakeAsync("acme", "t", 2, 2, T0 + TimeSpan.FromHours(1), default)).Remaining);
    }

    [Fact]
    public async Task Quota_cleanup_drops_full_buckets_and_past_days_keeps_the_rest()
    {
        await using var replicas = await Replicas.OpenAsync(_server, 1);
        var store = replicas[0].Quotas;
        await store.TryTakeAsync("acme", "refills", 10, 5, T0, default);
        await store.TryTakeAsync("acme", "never", 0, 5, T0, default);
        await store.TryCountAsync("acme", "yesterday", 5, T0.AddDays(-1), default);
        await store.TryCountAsync("acme", "today", 5, T0, default);

        Assert.Equal(2, await store.CleanupAsync(T0 + TimeSpan.FromSeconds(1), default));
        Assert.Equal(3, (await store.TryTakeAsync("acme", "never", 0, 5, T0 + TimeSpan.FromSeconds(1), default)).Remaining);
        Assert.Equal(3, (await store.TryCountAsync("acme", "today", 5, T0, default)).Remaining);
    }

    [Fact]
    public async Task Database_stopped_calls_fail_with_Npgsql_errors_then_recover_by_themselves()
    {
        await using var replicas = await Replicas.OpenAsync(_server, 1);
        var state = replicas[0];
        var key = new IdempotencyKey("acme", "files", "read@1", "outage");
        Assert.Equal(IdempotencyClaimKind.Claimed, (await state.Idempotency.ClaimAsync(key, "h", Lease, T0, default)).Kind);

        await _server.StopAsync();
        try
        {
            var clock = Stopwatch.StartNew();
            await Assert.ThrowsAnyAsync<NpgsqlException>(async () => await state.Idempotency.ClaimAsync(key with { Key = "during" }, "h", Lease, T0, default));
            await Assert.ThrowsAnyAsync<NpgsqlException>(async () => await state.Quotas.TryTakeAsync("acme", "t", 1, 1, T0, default));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"failing took {clock.Elapsed}");
        }
        finally
        {
            await _server.StartAsync();
        }

        // The pool reconnects by itself; the records written before the outage are there.
        var after = await Eventually(() => state.Idempotency.ClaimAsync(key, "h", Lease, T0, default).AsTask());
        Assert.Equal(IdempotencyClaimKind.InFlight, after.Kind);
        Assert.True((await state.Quotas.TryTakeAsync("acme", "t", 1, 1, T0, default)).Allowed);
    }

    private static async Task<T> Eventually<T>(Func<Task<T>> call)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    // Starts every call at once (a gate opened after all are queued) and waits for all.
    private static async Task<T[]> Race<T>(int count, Func<int, ValueTask<T>> call)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, count).Select(async i =>
        {
            await gate.Task;
            return await call(i);
        }).ToArray();
        gate.SetResult();
        return await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(120));
    }

    /// <summary>Several store instances over one fresh schema, each with its own pool, as separate replicas have.</summary>
    private sealed class Replicas : IAsyncDisposable
    {
        private readonly List<(NpgsqlDataSource Source, PostgresIdempotencyStore Idempotency, PostgresQuotaStore Quotas)> _items = [];

        public string Schema { get; private init; } = "";

        public (PostgresIdempotencyStore Idempotency, PostgresQuotaStore Quotas) this[int i] => (_items[i].Idempotency, _items[i].Quotas);

        public static async Task<Replicas> OpenAsync(PostgresServer server, int count, TimeSpan? pollInterval = null)
        {
            var replicas = new Replicas { Schema = server.NewSchema() };
            var schema = new PostgresGatewaySchema(replicas.Schema);
            for (var i = 0; i < count; i++)
            {
                var source = server.CreateDataSource();
                await schema.MigrateAsync(source, null, default);
                var idempotency = new PostgresIdempotencyStore(source, schema, TimeProvider.System, null, pollInterval);
                await idempotency.StartAsync(default);
                replicas._items.Add((source, idempotency, new PostgresQuotaStore(source, schema, TimeProvider.System)));
            }

            return replicas;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var (source, idempotency, quotas) in _items)
            {
                await idempotency.DisposeAsync();
                await quotas.DisposeAsync();
                await source.DisposeAsync();
            }
        }
    }
}

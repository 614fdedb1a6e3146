using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Sec0.Gateway.State.Postgres;

/// <summary>
/// Idempotency records in PostgreSQL, shared by every gateway replica that uses the same database and schema. The
/// same semantics as <see cref="InMemoryIdempotencyStore"/>: exactly one of any number of concurrent claims (on any
/// replicas) wins, a claim whose holder died expires after its lease, and waiters are woken when the holder
/// completes or gives the key up.
/// </summary>
/// <remarks>
/// <para>
/// Each decision is one statement or a conditional one: a new key is claimed by
/// <c>INSERT … ON CONFLICT DO NOTHING RETURNING</c>; an expired record is taken over by
/// <c>UPDATE … WHERE lease_id = old AND state = old RETURNING</c>, which exactly one replica wins. Completing and
/// releasing are conditional on the lease and send <c>NOTIFY sec0_idempotency, '&lt;key hash&gt;'</c> in the same
/// statement (delivered at commit); completions that arrive while another is being written go together in one
/// statement (<see cref="PostgresCompletionBatcher"/>). A waiter listens through one shared <c>LISTEN</c> connection per store and also
/// polls every <see cref="PollInterval"/> (real time), in case a notification is lost with a dropped connection.
/// </para>
/// <para>
/// Time: every expiry decision uses the <c>now</c> passed in (or the <see cref="TimeProvider"/> given to
/// <see cref="WaitAsync"/> and to the constructor, for the cleanup), never the database's <c>now()</c>, so replicas
/// must have synchronised clocks, as for the leases of any distributed lock. Only the polling interval and the
/// listener's reconnect pauses are real time.
/// </para>
/// <para>
/// Cleanup: every <c>cleanupEvery</c> operations (default 1,000) a background run deletes, in batches of 1,000 rows,
/// the completed records past their TTL and the claims past their lease, at the store clock's time (like
/// <see cref="InMemoryIdempotencyStore"/>'s sweep, after which a late holder's <see cref="CompleteAsync"/> returns
/// false). <see cref="CleanupAsync"/> runs it by hand. No decision depends on it: an expired row is taken over when read.
/// </para>
/// <para>
/// Errors of the database (<see cref="NpgsqlException"/>, <see cref="PostgresException"/>, <see cref="TimeoutException"/>)
/// propagate to the caller, which maps them to 503; none is swallowed.
/// </para>
/// </remarks>
public sealed class PostgresIdempotencyStore : IIdempotencyStore, IAsyncDisposable
{
    /// <summary>The default interval of a waiter's polling, its fallback when a notification is lost.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(200);

    private const int CleanupBatch = 1000;

    // Task.Delay refuses delays beyond about 49 days; a waiter with a longer timeout waits in steps.
    private static readonly TimeSpan MaxDelayStep = TimeSpan.FromDays(1);

    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresGatewaySchema _schema;
    private readonly TimeProvider _time;
    private readonly PostgresNotificationListener _listener;
    private readonly PostgresCleanup _cleanup;
    private readonly string _claimSql;
    private readonly string _takeOverSql;
    private readonly PostgresCompletionBatcher _completions;
    private readonly string _selectSql;
    private readonly string _releaseSql;
    private readonly string _cleanupDoneSql;
    private readonly string _cleanupLeaseSql;

    /// <summary>Creates a store over tables that <see cref="PostgresGatewaySchema.MigrateAsync"/> created.</summary>
    /// <param name="dataSource">The connections; not disposed by the store.</param>
    /// <param name="schema">Where the tables are.</param>
    /// <param name="time">The clock of the cleanup.</param>
    /// <param name="logger">Where the background listener and cleanup report their failures.</param>
    /// <param name="pollInterval">How often a waiter looks without a notification; <see cref="DefaultPollInterval"/> when null.</param>
    /// <param name="cleanupEvery">The number of operations between two cleanup runs.</param>
    public PostgresIdempotencyStore(NpgsqlDataSource dataSource, PostgresGatewaySchema schema, TimeProvider time, ILogger? logger = null, TimeSpan? pollInterval = null, int cleanupEvery = 1000)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(time);
        PollInterval = pollInterval ?? DefaultPollInterval;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PollInterval, TimeSpan.Zero, nameof(pollInterval));
        _dataSource = dataSource;
        _schema = schema;
        _time = time;
        _listener = new PostgresNotificationListener(dataSource, logger);
        _completions = new PostgresCompletionBatcher(dataSource, schema.IdempotencyTable, PostgresGatewaySchema.NotifyChannel);
        _cleanup = new PostgresCleanup(CleanupAsyncCore, cleanupEvery, logger, "idempotency");

        var t = schema.IdempotencyTable;
        const string Pk = "tenant = @tenant AND server = @server AND tool = @tool AND key = @key";
        // Sent together as one batch (one round trip, one implicit transaction): the insert, then, as a new statement
        // with a new snapshot, the row as it is now. Measured faster than one statement doing both (a CTE with
        // UNION ALL): 299 against 377 µs per claim (docs/performance.md).
        _claimSql = $"""
            INSERT INTO {t} (tenant, server, tool, key, request_hash, state, lease_id, lease_expires_at)
            VALUES (@tenant, @server, @tool, @key, @hash, 'inflight', @lease, @lease_expires)
            ON CONFLICT DO NOTHING RETURNING lease_id
            """;
        _selectSql = $"SELECT request_hash, state, lease_id, lease_expires_at, status, content_type, body, expires_at FROM {t} WHERE {Pk}";

        // lease_id and state together name one version of the row: a takeover changes the lease, a completion the state.
        _takeOverSql = $"""
            UPDATE {t} SET request_hash = @hash, state = 'inflight', lease_id = @lease, lease_expires_at = @lease_expires,
                status = NULL, content_type = NULL, body = NULL, expires_at = NULL
            WHERE {Pk} AND lease_id = @old_lease AND state = @old_state
            RETURNING lease_id
            """;
        _releaseSql = $"""
            WITH gone AS (
                DELETE FROM {t} WHERE {Pk} AND lease_id = @lease AND state = 'inflight'
                RETURNING 1)
            SELECT 1, pg_notify('{PostgresGatewaySchema.NotifyChannel}', @notify) FROM gone
            """;

        // Batched through ctid so that one run never holds many row locks; the outer condition is checked again on the row.
        _cleanupDoneSql = $"""
            DELETE FROM {t} WHERE ctid IN (SELECT ctid FROM {t} WHERE state = 'done' AND expires_at <= @now LIMIT {CleanupBatch})
                AND state = 'done' AND expires_at <= @now
            """;
        _cleanupLeaseSql = $"""
            DELETE FROM {t} WHERE ctid IN (SELECT ctid FROM {t} WHERE state = 'inflight' AND lease_expires_at <= @now LIMIT {CleanupBatch})
                AND state = 'inflight' AND lease_expires_at <= @now
            """;
    }

    /// <summary>The number of statements that wrote completions (fewer than the completions when they were batched).</summary>
    internal long CompletionStatements => _completions.Statements;

    /// <summary>How often a waiter looks again without a notification.</summary>
    public TimeSpan PollInterval { get; }

    /// <summary>Opens the shared <c>LISTEN</c> connection now, so that a database that cannot be reached fails the start-up.</summary>
    /// <exception cref="NpgsqlException">The first connection failed.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _listener.EnsureStarted();
        await _listener.FirstListen.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// No record, a completed record past its TTL, or a claim past its lease: claimed, with a new lease id.
    /// A completed record of the same request hash: <see cref="IdempotencyClaimKind.Completed"/>; a live record of
    /// another hash: <see cref="IdempotencyClaimKind.Mismatch"/>; a live claim of the same hash: <see cref="IdempotencyClaimKind.InFlight"/>.
    /// One round trip, for a new key as for a live one; two when an expired record is taken over.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The lease is not positive.</exception>
    public async ValueTask<IdempotencyClaim> ClaimAsync(IdempotencyKey key, string requestHash, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ValidateKey(key);
        ArgumentNullException.ThrowIfNull(requestHash);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();

        var (claim, _) = await ClaimOrInspectAsync(key, requestHash, lease, now, cancellationToken).ConfigureAwait(false);
        _cleanup.CountOperation();
        return claim;
    }

    /// <inheritdoc />
    /// <remarks>
    /// A holder whose lease ran out can still complete while nobody took the key over (and the cleanup did not remove the claim).
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The TTL is not positive.</exception>
    public async ValueTask<bool> CompleteAsync(IdempotencyKey key, string leaseId, StoredResponse response, TimeSpan ttl, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ValidateKey(key);
        ArgumentNullException.ThrowIfNull(leaseId);
        ArgumentNullException.ThrowIfNull(response);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        if (!Guid.TryParse(leaseId, out var lease))
        {
            // Not a lease this store handed out.
            return false;
        }

        var completed = await _completions.CompleteAsync(new PendingCompletion(key, lease, response, SaturatingAdd(now, ttl), KeyHash(key))).ConfigureAwait(false);
        _cleanup.CountOperation();
        return completed;
    }

    /// <inheritdoc />
    /// <remarks>Does nothing unless <paramref name="leaseId"/> holds the key. Wakes the waiters: the first to look claims the key.</remarks>
    public async ValueTask ReleaseAsync(IdempotencyKey key, string leaseId, CancellationToken cancellationToken)
    {
        ValidateKey(key);
        ArgumentNullException.ThrowIfNull(leaseId);
        cancellationToken.ThrowIfCancellationRequested();
        if (!Guid.TryParse(leaseId, out var lease))
        {
            return;
        }

        await using var command = _dataSource.CreateCommand(_releaseSql);
        AddKey(command, key);
        command.Parameters.Add(new NpgsqlParameter<Guid>("lease", NpgsqlDbType.Uuid) { TypedValue = lease });
        command.Parameters.Add(new NpgsqlParameter<string>("notify", NpgsqlDbType.Text) { TypedValue = KeyHash(key) });
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        _cleanup.CountOperation();
    }

    /// <inheritdoc />
    /// <remarks>
    /// Looks at the record, then sleeps until a notification for the key, the holder's lease running out, the
    /// timeout, or the polling interval, and looks again. A record of another request hash gives
    /// <see cref="IdempotencyClaimKind.Mismatch"/> at once. <paramref name="timeout"/> may be <see cref="Timeout.InfiniteTimeSpan"/>.
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

        _listener.EnsureStarted();
        var keyHash = KeyHash(key);
        var deadline = timeout == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : SaturatingAdd(time.GetUtcNow(), timeout);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // Registered before looking, so that a completion between the look and the sleep is not missed.
            using var registration = _listener.Register(keyHash);
            var now = time.GetUtcNow();
            var (claim, leaseEnd) = await ClaimOrInspectAsync(key, requestHash, lease, now, cancellationToken).ConfigureAwait(false);
            _cleanup.CountOperation();
            if (claim.Kind != IdempotencyClaimKind.InFlight || now >= deadline)
            {
                return claim;
            }

            // The lease end and the deadline are on the caller's clock; the polling is real time (it covers lost notifications).
            var wakeAt = leaseEnd < deadline ? leaseEnd : deadline;
            var delay = wakeAt - now;
            if (delay > MaxDelayStep)
            {
                delay = MaxDelayStep;
            }

            using var delayCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            await Task.WhenAny(
                registration.Signal,
                Task.Delay(delay, time, delayCancellation.Token),
                Task.Delay(PollInterval, TimeProvider.System, delayCancellation.Token)).ConfigureAwait(false);

            // Stops the timers that lost, so that no waiter leaves one behind.
            await delayCancellation.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Deletes the completed records past their TTL and the claims past their lease at <paramref name="now"/>, in
    /// batches of 1,000 rows; what the periodic cleanup runs.
    /// </summary>
    /// <returns>The number of rows deleted.</returns>
    public async Task<long> CleanupAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        long deleted = 0;
        foreach (var sql in new[] { _cleanupDoneSql, _cleanupLeaseSql })
        {
            while (true)
            {
                await using var command = _dataSource.CreateCommand(sql);
                command.Parameters.Add(Timestamp("now", now));
                var rows = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                deleted += rows;
                if (rows < CleanupBatch)
                {
                    break;
                }
            }
        }

        return deleted;
    }

    /// <summary>Closes the listener connection and waits for a running cleanup. The data source is the owner's to dispose.</summary>
    public async ValueTask DisposeAsync()
    {
        await _completions.DisposeAsync().ConfigureAwait(false);
        await _listener.DisposeAsync().ConfigureAwait(false);
        await _cleanup.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The payload of the key's notifications: a hash, since a key may be long and must not leak to other listeners.</summary>
    internal string KeyHash(IdempotencyKey key)
    {
        var text = string.Join('\n', _schema.SchemaName, key.Tenant, key.Server, key.ToolAtVersion, key.Key);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return Convert.ToHexStringLower(hash[..16]);
    }

    private Task CleanupAsyncCore(CancellationToken cancellationToken) => CleanupAsync(_time.GetUtcNow(), cancellationToken);

    /// <summary>The decision of <see cref="ClaimAsync"/>, and for <see cref="IdempotencyClaimKind.InFlight"/> the end of the holder's lease.</summary>
    private async Task<(IdempotencyClaim Claim, DateTimeOffset LeaseEnd)> ClaimOrInspectAsync(IdempotencyKey key, string requestHash, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var leaseExpires = SaturatingAdd(now, lease);
        while (true)
        {
            var newLease = Guid.NewGuid();

            await using var batch = _dataSource.CreateBatch();
            var insert = new NpgsqlBatchCommand(_claimSql);
            AddKey(insert.Parameters, key);
            insert.Parameters.Add(new NpgsqlParameter<string>("hash", NpgsqlDbType.Text) { TypedValue = requestHash });
            insert.Parameters.Add(new NpgsqlParameter<Guid>("lease", NpgsqlDbType.Uuid) { TypedValue = newLease });
            insert.Parameters.Add(Timestamp("lease_expires", leaseExpires));
            var select = new NpgsqlBatchCommand(_selectSql);
            AddKey(select.Parameters, key);
            batch.BatchCommands.Add(insert);
            batch.BatchCommands.Add(select);

            Row? row = null;
            await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return (new IdempotencyClaim(IdempotencyClaimKind.Claimed, newLease.ToString(), null), default);
                }

                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    row = new Row(
                        reader.GetString(0),
                        reader.GetString(1) == "done",
                        reader.IsDBNull(2) ? null : reader.GetGuid(2),
                        reader.IsDBNull(3) ? DateTimeOffset.MinValue : reader.GetFieldValue<DateTimeOffset>(3),
                        reader.IsDBNull(4) ? 0 : reader.GetInt32(4),
                        reader.IsDBNull(5) ? string.Empty : reader.GetString(5),
                        reader.IsDBNull(6) ? [] : reader.GetFieldValue<byte[]>(6),
                        reader.IsDBNull(7) ? DateTimeOffset.MinValue : reader.GetFieldValue<DateTimeOffset>(7));
                }
            }

            if (row is null)
            {
                // Released or cleaned up between the insert and the select: try the insert again.
                continue;
            }

            var live = row.Done ? now < row.ExpiresAt : now < row.LeaseExpiresAt;
            if (live)
            {
                if (!string.Equals(row.RequestHash, requestHash, StringComparison.Ordinal))
                {
                    return (new IdempotencyClaim(IdempotencyClaimKind.Mismatch, null, null), default);
                }

                return row.Done
                    ? (new IdempotencyClaim(IdempotencyClaimKind.Completed, null, new StoredResponse(row.Status, row.ContentType, row.Body)), default)
                    : (new IdempotencyClaim(IdempotencyClaimKind.InFlight, null, null), row.LeaseExpiresAt);
            }

            // Expired: take it over, unless another replica did first (then look again).
            await using var takeOver = _dataSource.CreateCommand(_takeOverSql);
            AddKey(takeOver, key);
            takeOver.Parameters.Add(new NpgsqlParameter<string>("hash", NpgsqlDbType.Text) { TypedValue = requestHash });
            takeOver.Parameters.Add(new NpgsqlParameter<Guid>("lease", NpgsqlDbType.Uuid) { TypedValue = newLease });
            takeOver.Parameters.Add(Timestamp("lease_expires", leaseExpires));
            takeOver.Parameters.Add(new NpgsqlParameter("old_lease", NpgsqlDbType.Uuid) { Value = row.LeaseId is { } old ? old : DBNull.Value });
            takeOver.Parameters.Add(new NpgsqlParameter<string>("old_state", NpgsqlDbType.Text) { TypedValue = row.Done ? "done" : "inflight" });
            if (await takeOver.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null)
            {
                return (new IdempotencyClaim(IdempotencyClaimKind.Claimed, newLease.ToString(), null), default);
            }
        }
    }

    private static void AddKey(NpgsqlCommand command, IdempotencyKey key) => AddKey(command.Parameters, key);

    private static void AddKey(NpgsqlParameterCollection parameters, IdempotencyKey key)
    {
        parameters.Add(new NpgsqlParameter<string>("tenant", NpgsqlDbType.Text) { TypedValue = key.Tenant });
        parameters.Add(new NpgsqlParameter<string>("server", NpgsqlDbType.Text) { TypedValue = key.Server });
        parameters.Add(new NpgsqlParameter<string>("tool", NpgsqlDbType.Text) { TypedValue = key.ToolAtVersion });
        parameters.Add(new NpgsqlParameter<string>("key", NpgsqlDbType.Text) { TypedValue = key.Key });
    }

    // Npgsql writes only UTC offsets to timestamptz; PostgreSQL keeps microseconds (the ticks below are truncated).
    internal static NpgsqlParameter<DateTimeOffset> Timestamp(string name, DateTimeOffset value) =>
        new(name, NpgsqlDbType.TimestampTz) { TypedValue = value.ToUniversalTime() };

    private static void ValidateKey(IdempotencyKey key)
    {
        if (key.Tenant is null || key.Server is null || key.ToolAtVersion is null || key.Key is null)
        {
            throw new ArgumentException("Every part of the idempotency key is required.", nameof(key));
        }
    }

    private static DateTimeOffset SaturatingAdd(DateTimeOffset time, TimeSpan span) =>
        span >= DateTimeOffset.MaxValue - time ? DateTimeOffset.MaxValue : time + span;

    private sealed record Row(string RequestHash, bool Done, Guid? LeaseId, DateTimeOffset LeaseExpiresAt, int Status, string ContentType, byte[] Body, DateTimeOffset ExpiresAt);
}

using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Sec0.Gateway.State.Postgres;

/// <summary>
/// Quota counters in PostgreSQL, shared by every gateway replica that uses the same database and schema: the same
/// token bucket and UTC-day counter as <see cref="InMemoryQuotaStore"/>, exact across replicas.
/// </summary>
/// <remarks>
/// <para>
/// Each decision is one statement, <c>INSERT … ON CONFLICT DO UPDATE … RETURNING</c>: the conflicting row is locked
/// for the update, so concurrent decisions on one (tenant, tool) run one after the other in the database and never
/// over-count, whichever replica sends them. Different keys do not contend.
/// </para>
/// <para>
/// Time: the refill and the day come from the <c>now</c> passed in, never from the database's <c>now()</c>; a call
/// with an earlier time than the bucket's last refills nothing (the clock of the bucket does not go back), so replicas
/// with slightly different clocks never mint tokens.
/// </para>
/// <para>
/// Cleanup: every <c>cleanupEvery</c> operations a background run deletes the buckets that are full again (equivalent
/// to missing ones) and the counters of days before today, in batches of 1,000 rows.
/// </para>
/// <para>Errors of the database propagate to the caller, which maps them to 503.</para>
/// </remarks>
public sealed class PostgresQuotaStore : IQuotaStore, IAsyncDisposable
{
    // As in InMemoryQuotaStore: a whole token short by a rounding error still counts.
    private const double Epsilon = 1e-9;
    private const string EpsilonSql = "1e-9";
    private const int CleanupBatch = 1000;

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;
    private readonly PostgresCleanup _cleanup;
    private readonly string _takeSql;
    private readonly string _countSql;
    private readonly string _cleanupBucketSql;
    private readonly string _cleanupDailySql;

    /// <summary>Creates a store over tables that <see cref="PostgresGatewaySchema.MigrateAsync"/> created.</summary>
    /// <param name="dataSource">The connections; not disposed by the store.</param>
    /// <param name="schema">Where the tables are.</param>
    /// <param name="time">The clock of the cleanup.</param>
    /// <param name="logger">Where the background cleanup reports its failures.</param>
    /// <param name="cleanupEvery">The number of operations between two cleanup runs.</param>
    public PostgresQuotaStore(NpgsqlDataSource dataSource, PostgresGatewaySchema schema, TimeProvider time, ILogger? logger = null, int cleanupEvery = 1000)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(time);
        _dataSource = dataSource;
        _time = time;
        _cleanup = new PostgresCleanup(CleanupAsyncCore, cleanupEvery, logger, "quota");

        var b = schema.BucketTable;

        // The refill of the stored bucket at @now: never more than the burst, nothing for a time before the last update.
        var refilled = $"least(@burst::double precision, {b}.tokens + greatest(0, extract(epoch FROM (@now - {b}.updated_at))::double precision) * @rate)";
        _takeSql = $"""
            INSERT INTO {b} AS b (tenant, tool_ref, tokens, updated_at, rate, burst, taken)
            VALUES (@tenant, @tool, @burst - 1, @now, @rate, @burst, true)
            ON CONFLICT (tenant, tool_ref) DO UPDATE SET
                tokens = CASE WHEN {refilled} >= 1 - {EpsilonSql} THEN greatest(0, {refilled} - 1) ELSE {refilled} END,
                taken = {refilled} >= 1 - {EpsilonSql},
                updated_at = greatest(b.updated_at, @now),
                rate = @rate,
                burst = @burst
            RETURNING taken, tokens
            """.Replace(b + ".", "b.", StringComparison.Ordinal);

        var d = schema.DailyTable;
        _countSql = $"""
            INSERT INTO {d} AS d (tenant, tool_ref, day, count)
            VALUES (@tenant, @tool, @day, 1)
            ON CONFLICT (tenant, tool_ref, day) DO UPDATE SET count = d.count + 1
            WHERE d.count < @limit
            RETURNING count
            """;

        // Full buckets: the refill since the last update brings them to the burst.
        _cleanupBucketSql = $"""
            DELETE FROM {b} WHERE ctid IN (
                SELECT ctid FROM {b}
                WHERE tokens + greatest(0, extract(epoch FROM (@now - updated_at))::double precision) * rate >= burst - {EpsilonSql}
                LIMIT {CleanupBatch})
            AND tokens + greatest(0, extract(epoch FROM (@now - updated_at))::double precision) * rate >= burst - {EpsilonSql}
            """;
        _cleanupDailySql = $"""
            DELETE FROM {d} WHERE ctid IN (SELECT ctid FROM {d} WHERE day < @day LIMIT {CleanupBatch}) AND day < @day
            """;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The rate is negative or not finite, or the burst is below 1.</exception>
    /// <remarks>One round trip. <see cref="RateDecision.RetryAfter"/> is computed as by <see cref="InMemoryQuotaStore"/>.</remarks>
    public async ValueTask<RateDecision> TryTakeAsync(string tenant, string toolRef, double ratePerSecond, int burst, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(toolRef);
        if (!double.IsFinite(ratePerSecond) || ratePerSecond < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ratePerSecond), ratePerSecond, "The rate must be a finite number of tokens per second, 0 or more.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        cancellationToken.ThrowIfCancellationRequested();

        await using var command = _dataSource.CreateCommand(_takeSql);
        AddKey(command, tenant, toolRef);
        command.Parameters.Add(PostgresIdempotencyStore.Timestamp("now", now));
        command.Parameters.Add(new NpgsqlParameter<double>("rate", NpgsqlDbType.Double) { TypedValue = ratePerSecond });
        command.Parameters.Add(new NpgsqlParameter<int>("burst", NpgsqlDbType.Integer) { TypedValue = burst });

        bool taken;
        double tokens;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            // An upsert always returns its row.
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            taken = reader.GetBoolean(0);
            tokens = reader.GetDouble(1);
        }

        _cleanup.CountOperation();
        return taken
            ? new RateDecision(true, (long)Math.Floor(tokens + Epsilon), TimeSpan.Zero)
            : new RateDecision(false, 0, TimeUntilOneToken(tokens, ratePerSecond));
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The limit is negative.</exception>
    /// <remarks>One round trip; none for a limit of 0.</remarks>
    public async ValueTask<DailyDecision> TryCountAsync(string tenant, string toolRef, long limit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(toolRef);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        cancellationToken.ThrowIfCancellationRequested();

        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var resetAt = today == DateOnly.MaxValue
            ? DateTimeOffset.MaxValue
            : new DateTimeOffset(today.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        if (limit == 0)
        {
            return new DailyDecision(false, 0, resetAt);
        }

        await using var command = _dataSource.CreateCommand(_countSql);
        AddKey(command, tenant, toolRef);
        command.Parameters.Add(new NpgsqlParameter<DateOnly>("day", NpgsqlDbType.Date) { TypedValue = today });
        command.Parameters.Add(new NpgsqlParameter<long>("limit", NpgsqlDbType.Bigint) { TypedValue = limit });
        var count = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        _cleanup.CountOperation();

        // No row returned: the conditional update found the count at the limit.
        return count is long counted
            ? new DailyDecision(true, limit - counted, resetAt)
            : new DailyDecision(false, 0, resetAt);
    }

    /// <summary>Deletes the buckets full at <paramref name="now"/> and the counters of days before it; what the periodic cleanup runs.</summary>
    /// <returns>The number of rows deleted.</returns>
    public async Task<long> CleanupAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var deleted = await DeleteInBatchesAsync(_cleanupBucketSql, PostgresIdempotencyStore.Timestamp("now", now), cancellationToken).ConfigureAwait(false);
        deleted += await DeleteInBatchesAsync(
            _cleanupDailySql,
            new NpgsqlParameter<DateOnly>("day", NpgsqlDbType.Date) { TypedValue = DateOnly.FromDateTime(now.UtcDateTime) },
            cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    /// <summary>Waits for a running cleanup. The data source is the owner's to dispose.</summary>
    public ValueTask DisposeAsync() => _cleanup.DisposeAsync();

    private static void AddKey(NpgsqlCommand command, string tenant, string toolRef)
    {
        command.Parameters.Add(new NpgsqlParameter<string>("tenant", NpgsqlDbType.Text) { TypedValue = tenant });
        command.Parameters.Add(new NpgsqlParameter<string>("tool", NpgsqlDbType.Text) { TypedValue = toolRef });
    }

    private async Task<long> DeleteInBatchesAsync(string sql, NpgsqlParameter parameter, CancellationToken cancellationToken)
    {
        long deleted = 0;
        while (true)
        {
            await using var command = _dataSource.CreateCommand(sql);
            command.Parameters.Add(parameter.Clone());
            var rows = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            deleted += rows;
            if (rows < CleanupBatch)
            {
                return deleted;
            }
        }
    }

    private static TimeSpan TimeUntilOneToken(double tokens, double rate)
    {
        if (rate <= 0)
        {
            return TimeSpan.MaxValue;
        }

        // Rounded up: a retry after exactly this long finds the token.
        var ticks = Math.Ceiling((1 - tokens) / rate * TimeSpan.TicksPerSecond);
        return ticks >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks(Math.Max(1, (long)ticks));
    }

    private Task CleanupAsyncCore(CancellationToken cancellationToken) => CleanupAsync(_time.GetUtcNow(), cancellationToken);
}

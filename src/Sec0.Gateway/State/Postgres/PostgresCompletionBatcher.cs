using Npgsql;
using NpgsqlTypes;

namespace Sec0.Gateway.State.Postgres;

/// <summary>
/// Writes idempotency completions, batching those that arrive together: one statement (one round trip, one commit)
/// completes every lease that is waiting, and sends each key's notification.
/// </summary>
/// <remarks>
/// <para>
/// Nothing waits to fill a batch. When no write is going on, the caller writes its own completion at once (the single-row
/// statement, so one request at a time pays one round trip as before). Completions that arrive while a write is
/// going on queue up and go together in the next statement, run by a background loop that stops when the queue
/// is empty. So batches form only under load, where they save a round trip and a commit per completion.
/// </para>
/// <para>
/// A batch is one transaction: it completes every row whose lease still holds and reports for each completion
/// whether it did. A failure (the database gone) fails every completion of the batch, as it would have failed each
/// alone. A deadlock with another replica's batch (two takeovers in opposite directions, rows locked in join order)
/// is retried: the update is conditional on the lease, so running it again is safe.
/// </para>
/// </remarks>
internal sealed class PostgresCompletionBatcher : IAsyncDisposable
{
    /// <summary>The most completions one statement carries.</summary>
    public const int MaxBatch = 128;

    private const int DeadlockRetries = 3;

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _singleSql;
    private readonly string _batchSql;
    private readonly Lock _gate = new();
    private List<PendingCompletion> _queue = [];
    private bool _writing;
    private Task _loop = Task.CompletedTask;
    private long _statements;

    public PostgresCompletionBatcher(NpgsqlDataSource dataSource, string table, string notifyChannel)
    {
        _dataSource = dataSource;
        const string Pk = "tenant = @tenant AND server = @server AND tool = @tool AND key = @key";
        _singleSql = $"""
            WITH done AS (
                UPDATE {table} SET state = 'done', status = @status, content_type = @content_type, body = @body, expires_at = @expires
                WHERE {Pk} AND lease_id = @lease AND state = 'inflight'
                RETURNING 1)
            SELECT 1, pg_notify('{notifyChannel}', @notify) FROM done
            """;
        _batchSql = $"""
            WITH input AS (
                SELECT * FROM unnest(@tenant, @server, @tool, @key, @lease, @status, @content_type, @body, @expires, @notify)
                    WITH ORDINALITY AS i(tenant, server, tool, key, lease, status, content_type, body, expires, notify, n)),
            done AS (
                UPDATE {table} AS t SET state = 'done', status = i.status, content_type = i.content_type, body = i.body, expires_at = i.expires
                FROM input AS i
                WHERE t.tenant = i.tenant AND t.server = i.server AND t.tool = i.tool AND t.key = i.key
                    AND t.lease_id = i.lease AND t.state = 'inflight'
                RETURNING i.n, i.notify)
            SELECT n, pg_notify('{notifyChannel}', notify) FROM done
            """;
    }

    /// <summary>The number of statements written so far; fewer than the completions when batches formed.</summary>
    public long Statements => Interlocked.Read(ref _statements);

    /// <summary>Writes one completion, alone or with others.</summary>
    /// <returns>Whether the lease still held the key, so the record is now completed.</returns>
    public Task<bool> CompleteAsync(PendingCompletion completion)
    {
        lock (_gate)
        {
            if (_writing)
            {
                _queue.Add(completion);
                return completion.Result.Task;
            }

            _writing = true;
        }

        return WriteOwnAsync(completion);
    }

    /// <summary>Waits for the background loop to write what is queued.</summary>
    public async ValueTask DisposeAsync()
    {
        Task loop;
        lock (_gate)
        {
            loop = _loop;
        }

        await loop.ConfigureAwait(false);
    }

    private async Task<bool> WriteOwnAsync(PendingCompletion completion)
    {
        try
        {
            return await WriteSingleAsync(completion).ConfigureAwait(false);
        }
        finally
        {
            // Whatever queued meanwhile goes in the background, so this caller answers its request now.
            lock (_gate)
            {
                if (_queue.Count == 0)
                {
                    _writing = false;
                }
                else
                {
                    _loop = Task.Run(DrainAsync);
                }
            }
        }
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            List<PendingCompletion> batch;
            lock (_gate)
            {
                if (_queue.Count == 0)
                {
                    _writing = false;
                    return;
                }

                batch = _queue;
                _queue = [];
            }

            for (var start = 0; start < batch.Count; start += MaxBatch)
            {
                var part = batch.GetRange(start, Math.Min(MaxBatch, batch.Count - start));
                try
                {
                    var completed = part.Count == 1 ? [await WriteSingleAsync(part[0]).ConfigureAwait(false)] : await WriteBatchAsync(part).ConfigureAwait(false);
                    for (var i = 0; i < part.Count; i++)
                    {
                        part[i].Result.TrySetResult(completed[i]);
                    }
                }
                catch (Exception ex)
                {
                    foreach (var pending in part)
                    {
                        pending.Result.TrySetException(ex);
                    }
                }
            }
        }
    }

    private async Task<bool> WriteSingleAsync(PendingCompletion c)
    {
        Interlocked.Increment(ref _statements);
        await using var command = _dataSource.CreateCommand(_singleSql);
        command.Parameters.Add(new NpgsqlParameter<string>("tenant", NpgsqlDbType.Text) { TypedValue = c.Key.Tenant });
        command.Parameters.Add(new NpgsqlParameter<string>("server", NpgsqlDbType.Text) { TypedValue = c.Key.Server });
        command.Parameters.Add(new NpgsqlParameter<string>("tool", NpgsqlDbType.Text) { TypedValue = c.Key.ToolAtVersion });
        command.Parameters.Add(new NpgsqlParameter<string>("key", NpgsqlDbType.Text) { TypedValue = c.Key.Key });
        command.Parameters.Add(new NpgsqlParameter<Guid>("lease", NpgsqlDbType.Uuid) { TypedValue = c.Lease });
        command.Parameters.Add(new NpgsqlParameter<int>("status", NpgsqlDbType.Integer) { TypedValue = c.Response.StatusCode });
        command.Parameters.Add(new NpgsqlParameter<string>("content_type", NpgsqlDbType.Text) { TypedValue = c.Response.ContentType });
        command.Parameters.Add(new NpgsqlParameter<byte[]>("body", NpgsqlDbType.Bytea) { TypedValue = c.Response.Body });
        command.Parameters.Add(PostgresIdempotencyStore.Timestamp("expires", c.ExpiresAt));
        command.Parameters.Add(new NpgsqlParameter<string>("notify", NpgsqlDbType.Text) { TypedValue = c.NotifyPayload });

        // One row at most (the key is the primary key): the notification's, when the update matched.
        return await command.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false) is not null;
    }

    private async Task<bool[]> WriteBatchAsync(List<PendingCompletion> part)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await WriteBatchOnceAsync(part).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DeadlockDetected && attempt < DeadlockRetries)
            {
                // Rolled back as a whole; the conditional update is safe to run again.
            }
        }
    }

    private async Task<bool[]> WriteBatchOnceAsync(List<PendingCompletion> part)
    {
        Interlocked.Increment(ref _statements);
        await using var command = _dataSource.CreateCommand(_batchSql);
        command.Parameters.Add(Array("tenant", NpgsqlDbType.Text, part, c => c.Key.Tenant));
        command.Parameters.Add(Array("server", NpgsqlDbType.Text, part, c => c.Key.Server));
        command.Parameters.Add(Array("tool", NpgsqlDbType.Text, part, c => c.Key.ToolAtVersion));
        command.Parameters.Add(Array("key", NpgsqlDbType.Text, part, c => c.Key.Key));
        command.Parameters.Add(Array("lease", NpgsqlDbType.Uuid, part, c => c.Lease));
        command.Parameters.Add(Array("status", NpgsqlDbType.Integer, part, c => c.Response.StatusCode));
        command.Parameters.Add(Array("content_type", NpgsqlDbType.Text, part, c => c.Response.ContentType));
        command.Parameters.Add(Array("body", NpgsqlDbType.Bytea, part, c => c.Response.Body));
        command.Parameters.Add(Array("expires", NpgsqlDbType.TimestampTz, part, c => c.ExpiresAt.ToUniversalTime()));
        command.Parameters.Add(Array("notify", NpgsqlDbType.Text, part, c => c.NotifyPayload));

        var completed = new bool[part.Count];
        await using var reader = await command.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false);
        while (await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            // WITH ORDINALITY counts from 1.
            completed[reader.GetInt64(0) - 1] = true;
        }

        return completed;
    }

    private static NpgsqlParameter<T[]> Array<T>(string name, NpgsqlDbType type, List<PendingCompletion> part, Func<PendingCompletion, T> value)
    {
        var values = new T[part.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = value(part[i]);
        }

        return new NpgsqlParameter<T[]>(name, NpgsqlDbType.Array | type) { TypedValue = values };
    }
}

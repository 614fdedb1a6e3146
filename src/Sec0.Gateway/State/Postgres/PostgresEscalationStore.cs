using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Sec0.Approvals;

namespace Sec0.Gateway.State.Postgres;

/// <summary>
/// Escalations in PostgreSQL, shared by every gateway replica that uses the same database and schema: the store of
/// <see cref="ApprovalService"/> when the gateway's state is in PostgreSQL. Each escalation is one row holding its
/// state as the same JSON the file store writes.
/// </summary>
/// <remarks>
/// A change is one transaction: the row is read <c>FOR UPDATE</c> (so changes from any replica are decided one after
/// the other), changed and written back, committed before the vote or the token is acknowledged. Errors of the
/// database propagate to the caller.
/// </remarks>
public sealed class PostgresEscalationStore : IEscalationStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _insertSql;
    private readonly string _selectSql;
    private readonly string _lockSql;
    private readonly string _updateSql;
    private readonly string _listSql;
    private readonly string _deleteSql;

    /// <summary>Creates a store over tables that <see cref="PostgresGatewaySchema.MigrateAsync"/> created.</summary>
    public PostgresEscalationStore(NpgsqlDataSource dataSource, PostgresGatewaySchema schema)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(schema);
        _dataSource = dataSource;
        var t = schema.EscalationTable;
        _insertSql = $"INSERT INTO {t} (id, created_at, state) VALUES (@id, @created, @state) ON CONFLICT DO NOTHING";
        _selectSql = $"SELECT state FROM {t} WHERE id = @id";
        _lockSql = $"SELECT state FROM {t} WHERE id = @id FOR UPDATE";
        _updateSql = $"UPDATE {t} SET state = @state WHERE id = @id";
        _listSql = $"SELECT state FROM {t} ORDER BY created_at DESC";
        _deleteSql = $"DELETE FROM {t} WHERE id = @id";
    }

    /// <inheritdoc />
    public async Task CreateAsync(Escalation escalation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(escalation);
        if (!EscalationIds.IsValid(escalation.Id))
        {
            throw new ArgumentException($"\"{escalation.Id}\" is not an escalation id.", nameof(escalation));
        }

        await using var command = _dataSource.CreateCommand(_insertSql);
        command.Parameters.Add(new NpgsqlParameter<string>("id", NpgsqlDbType.Text) { TypedValue = escalation.Id });
        command.Parameters.Add(PostgresIdempotencyStore.Timestamp("created", escalation.CreatedAt));
        command.Parameters.Add(State(escalation));
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            throw new InvalidOperationException($"The escalation {escalation.Id} exists already.");
        }
    }

    /// <inheritdoc />
    public async Task<Escalation?> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (!EscalationIds.IsValid(id))
        {
            return null;
        }

        await using var command = _dataSource.CreateCommand(_selectSql);
        command.Parameters.Add(new NpgsqlParameter<string>("id", NpgsqlDbType.Text) { TypedValue = id });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string state ? Parse(id, state) : null;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Escalation>> ListAsync(CancellationToken cancellationToken)
    {
        var result = new List<Escalation>();
        await using var command = _dataSource.CreateCommand(_listSql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(Parse("(listed)", reader.GetString(0)));
        }

        return result;
    }

    /// <inheritdoc />
    public async Task<(Escalation Before, Escalation After)?> UpdateAsync(string id, Func<Escalation, Escalation?> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (!EscalationIds.IsValid(id))
        {
            return null;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        Escalation before;
        await using (var read = new NpgsqlCommand(_lockSql, connection, transaction))
        {
            read.Parameters.Add(new NpgsqlParameter<string>("id", NpgsqlDbType.Text) { TypedValue = id });
            if (await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not string state)
            {
                return null;
            }

            before = Parse(id, state);
        }

        var after = change(before);
        if (after is null || ReferenceEquals(after, before))
        {
            return (before, before);
        }

        await using (var write = new NpgsqlCommand(_updateSql, connection, transaction))
        {
            write.Parameters.Add(new NpgsqlParameter<string>("id", NpgsqlDbType.Text) { TypedValue = id });
            write.Parameters.Add(State(after));
            await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (before, after);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string id, Func<Escalation, bool> when, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(when);
        if (!EscalationIds.IsValid(id))
        {
            return false;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var read = new NpgsqlCommand(_lockSql, connection, transaction))
        {
            read.Parameters.Add(new NpgsqlParameter<string>("id", NpgsqlDbType.Text) { TypedValue = id });
            if (await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not string state || !when(Parse(id, state)))
            {
                return false;
            }
        }

        await using (var delete = new NpgsqlCommand(_deleteSql, connection, transaction))
        {
            delete.Parameters.Add(new NpgsqlParameter<string>("id", NpgsqlDbType.Text) { TypedValue = id });
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static NpgsqlParameter<string> State(Escalation escalation) =>
        new("state", NpgsqlDbType.Text) { TypedValue = System.Text.Encoding.UTF8.GetString(EscalationJson.ToUtf8(escalation)) };

    private static Escalation Parse(string id, string state)
    {
        try
        {
            using var document = JsonDocument.Parse(state);
            return EscalationJson.Read(document.RootElement);
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            throw new InvalidDataException($"[sec0-gateway] The escalation {id} in PostgreSQL is damaged: its state is not an escalation record ({ex.Message}).", ex);
        }
    }
}

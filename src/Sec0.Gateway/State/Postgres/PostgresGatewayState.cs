using Microsoft.Extensions.Logging;
using Npgsql;

namespace Sec0.Gateway.State.Postgres;

/// <summary>
/// The gateway's shared state in one PostgreSQL database: the connection pool, the migrated schema, and the
/// idempotency and quota stores over it. Every replica that opens the same database and schema shares the
/// idempotency records and the quota counters.
/// </summary>
/// <example>
/// <code>
/// await using var state = await PostgresGatewayState.OpenAsync(connectionString, "public", TimeProvider.System, logger, ct);
/// options.Dedupe.Store = state.Idempotency;
/// options.QuotaStore = state.Quotas;
/// </code>
/// </example>
public sealed class PostgresGatewayState : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    private PostgresGatewayState(NpgsqlDataSource dataSource, PostgresGatewaySchema schema, PostgresIdempotencyStore idempotency, PostgresQuotaStore quotas)
    {
        _dataSource = dataSource;
        Schema = schema;
        Idempotency = idempotency;
        Quotas = quotas;
        Escalations = new PostgresEscalationStore(dataSource, schema);
    }

    /// <summary>Where the tables are.</summary>
    public PostgresGatewaySchema Schema { get; }

    /// <summary>The shared idempotency records.</summary>
    public PostgresIdempotencyStore Idempotency { get; }

    /// <summary>The shared quota counters.</summary>
    public PostgresQuotaStore Quotas { get; }

    /// <summary>The shared escalations of escalated calls.</summary>
    public PostgresEscalationStore Escalations { get; }

    /// <summary>
    /// The approval tokens' secret every replica shares: made by the first replica that asks (32 random bytes, one row),
    /// read by the others.
    /// </summary>
    public async Task<Sec0.Approvals.ApprovalTokens> GetApprovalTokensAsync(CancellationToken cancellationToken)
    {
        var t = Schema.ApprovalSecretTable;
        await using var insert = _dataSource.CreateCommand($"INSERT INTO {t} (id, secret) VALUES (1, @secret) ON CONFLICT DO NOTHING");
        insert.Parameters.Add(new NpgsqlParameter<byte[]>("secret", NpgsqlTypes.NpgsqlDbType.Bytea) { TypedValue = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32) });
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await using var select = _dataSource.CreateCommand($"SELECT secret FROM {t} WHERE id = 1");
        var secret = (byte[])(await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        return new Sec0.Approvals.ApprovalTokens(secret);
    }

    /// <summary>
    /// Connects, applies the schema's migrations (<see cref="PostgresGatewaySchema.MigrateAsync"/>) and opens the
    /// idempotency listener, so that a database that cannot be reached fails here, at start-up, not at the first call.
    /// </summary>
    /// <param name="connectionString">An Npgsql connection string (<c>Host=…;Port=…;Username=…;Password=…;Database=…</c>).</param>
    /// <param name="schemaName">The schema of the gateway's tables: a plain lower-case identifier.</param>
    /// <param name="time">The clock of the stores' cleanup; the requests bring their own time.</param>
    /// <param name="logger">Where migrations, the listener and the cleanup report.</param>
    /// <param name="cancellationToken">Cancels the start-up.</param>
    /// <exception cref="ArgumentException">The connection string or the schema name is not valid.</exception>
    /// <exception cref="NpgsqlException">The database could not be reached or refused the migrations.</exception>
    public static async Task<PostgresGatewayState> OpenAsync(string connectionString, string schemaName, TimeProvider time, ILogger? logger, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(time);
        var schema = new PostgresGatewaySchema(schemaName);
        NpgsqlDataSource dataSource;
        try
        {
            dataSource = CreateDataSource(connectionString);
        }
        catch (ArgumentException ex)
        {
            // Npgsql's text names the bad keyword; the connection string itself may hold a password, so it is not repeated.
            throw new ArgumentException($"The PostgreSQL connection string is not valid: {ex.Message}", nameof(connectionString), ex);
        }

        PostgresIdempotencyStore? idempotency = null;
        PostgresQuotaStore? quotas = null;
        try
        {
            await schema.MigrateAsync(dataSource, logger, cancellationToken).ConfigureAwait(false);
            idempotency = new PostgresIdempotencyStore(dataSource, schema, time, logger);
            quotas = new PostgresQuotaStore(dataSource, schema, time, logger);
            await idempotency.StartAsync(cancellationToken).ConfigureAwait(false);
            return new PostgresGatewayState(dataSource, schema, idempotency, quotas);
        }
        catch
        {
            if (idempotency is not null)
            {
                await idempotency.DisposeAsync().ConfigureAwait(false);
            }

            if (quotas is not null)
            {
                await quotas.DisposeAsync().ConfigureAwait(false);
            }

            await dataSource.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The pool, with two defaults of its own unless the connection string sets them: the gateway runs the same few
    /// statements on every request, so they are prepared once per connection (<c>Max Auto Prepare</c>), and it leaves no
    /// session state behind, so a connection going back to the pool needs no reset (<c>No Reset On Close</c>).
    /// </summary>
    private static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        var settings = builder.ConnectionStringBuilder;
        var given = new NpgsqlConnectionStringBuilder(connectionString);
        if (!given.ContainsKey("Max Auto Prepare"))
        {
            settings.MaxAutoPrepare = 32;
        }

        if (!given.ContainsKey("No Reset On Close"))
        {
            settings.NoResetOnClose = true;
        }

        return builder.Build();
    }

    /// <summary>Stops the listener and the cleanups, then closes the pool's connections.</summary>
    public async ValueTask DisposeAsync()
    {
        await Idempotency.DisposeAsync().ConfigureAwait(false);
        await Quotas.DisposeAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }
}

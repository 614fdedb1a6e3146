using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Sec0.Gateway.State.Postgres;

/// <summary>
/// The gateway's tables in one PostgreSQL schema, and their versioned migrations. The migrations run at start-up
/// (<see cref="MigrateAsync"/>), in one transaction under a transaction-level advisory lock, so replicas that start
/// together apply each version exactly once and the others wait, then find nothing to do.
/// </summary>
/// <remarks>
/// Tables (all in <see cref="SchemaName"/>): <c>sec0_gateway_schema</c> (applied versions), <c>sec0_idempotency</c>,
/// <c>sec0_quota_bucket</c> and <c>sec0_quota_daily</c> (version 1); <c>sec0_escalations</c> and
/// <c>sec0_approval_secret</c> (version 2, the approvals of escalated calls). The bucket table also keeps the last rate and burst of each
/// bucket, so that the cleanup can tell a full bucket (equivalent to a missing one) without the configuration, and
/// whether its last update took a token (what the single-statement take returns).
/// </remarks>
public sealed partial class PostgresGatewaySchema
{
    /// <summary>The schema version this code writes and reads.</summary>
    public const int CurrentVersion = 2;

    /// <summary>The key of the advisory lock the migrations hold ("Sec0GwMg" in ASCII); shared by all schemas of a database.</summary>
    internal const long MigrationLockKey = 0x5365_6330_4777_4D67;

    /// <summary>The channel of the idempotency notifications; the payload says which key changed.</summary>
    internal const string NotifyChannel = "sec0_idempotency";

    /// <summary>Creates the names of the gateway's tables in <paramref name="schemaName"/>.</summary>
    /// <param name="schemaName">A plain lower-case identifier (letters, digits, underscores, at most 63 characters), such as <c>public</c>.</param>
    /// <exception cref="ArgumentException">The name is not such an identifier (it is put into SQL text, so it is never taken as given).</exception>
    public PostgresGatewaySchema(string schemaName = "public")
    {
        ArgumentNullException.ThrowIfNull(schemaName);
        if (!IdentifierPattern().IsMatch(schemaName))
        {
            throw new ArgumentException($"The schema name '{schemaName}' must be a lower-case identifier: a letter or underscore, then letters, digits or underscores, 63 characters at most.", nameof(schemaName));
        }

        SchemaName = schemaName;
        var quoted = "\"" + schemaName + "\"";
        VersionTable = quoted + ".sec0_gateway_schema";
        IdempotencyTable = quoted + ".sec0_idempotency";
        BucketTable = quoted + ".sec0_quota_bucket";
        DailyTable = quoted + ".sec0_quota_daily";
        EscalationTable = quoted + ".sec0_escalations";
        ApprovalSecretTable = quoted + ".sec0_approval_secret";
    }

    /// <summary>The schema that holds the tables.</summary>
    public string SchemaName { get; }

    internal string VersionTable { get; }

    internal string IdempotencyTable { get; }

    internal string BucketTable { get; }

    internal string DailyTable { get; }

    internal string EscalationTable { get; }

    internal string ApprovalSecretTable { get; }

    /// <summary>
    /// Brings the tables up to <see cref="CurrentVersion"/>: creates the schema and the version table when missing and
    /// applies each migration not yet recorded, all in one transaction under <c>pg_advisory_xact_lock</c>. Running it
    /// again, or from several replicas at once, changes nothing more.
    /// </summary>
    /// <returns>The versions this call applied (empty when the database was up to date).</returns>
    /// <exception cref="NpgsqlException">The database could not be reached or refused a statement.</exception>
    public async Task<IReadOnlyList<int>> MigrateAsync(NpgsqlDataSource dataSource, ILogger? logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // Held until commit: a replica starting at the same moment waits here, then sees the versions recorded.
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLockKey})", cancellationToken).ConfigureAwait(false);

        // CREATE SCHEMA IF NOT EXISTS needs the CREATE right even when the schema exists: look first.
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_namespace WHERE nspname = @name", connection, transaction))
        {
            exists.Parameters.AddWithValue("name", SchemaName);
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                await ExecuteAsync(connection, transaction, $"CREATE SCHEMA \"{SchemaName}\"", cancellationToken).ConfigureAwait(false);
            }
        }

        await ExecuteAsync(connection, transaction, $"CREATE TABLE IF NOT EXISTS {VersionTable} (version int PRIMARY KEY, applied_at timestamptz NOT NULL)", cancellationToken).ConfigureAwait(false);

        int current;
        await using (var read = new NpgsqlCommand($"SELECT coalesce(max(version), 0) FROM {VersionTable}", connection, transaction))
        {
            current = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        }

        if (current > CurrentVersion)
        {
            // A newer gateway migrated first (rolling upgrade): its migrations are meant to keep older readers working.
            logger?.GatewaySchemaNewer(SchemaName, current, CurrentVersion);
        }

        var applied = new List<int>();
        foreach (var (version, statements) in Migrations())
        {
            if (version <= current)
            {
                continue;
            }

            foreach (var statement in statements)
            {
                await ExecuteAsync(connection, transaction, statement, cancellationToken).ConfigureAwait(false);
            }

            // The database's clock: applied_at is a record of when, not an input to any decision.
            await ExecuteAsync(connection, transaction, $"INSERT INTO {VersionTable} (version, applied_at) VALUES ({version}, now())", cancellationToken).ConfigureAwait(false);
            applied.Add(version);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (applied.Count > 0)
        {
            logger?.GatewaySchemaMigrated(string.Join(", ", applied), SchemaName);
        }

        return applied;
    }

    /// <summary>The versions recorded in the version table, in order (for tests and diagnostics).</summary>
    /// <exception cref="NpgsqlException">The database could not be reached, or the table does not exist.</exception>
    public async Task<IReadOnlyList<int>> GetAppliedVersionsAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var command = dataSource.CreateCommand($"SELECT version FROM {VersionTable} ORDER BY version");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var versions = new List<int>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }

    // Each version's statements; never edit a released one, add the next version instead.
    private IEnumerable<(int Version, string[] Statements)> Migrations()
    {
        yield return (1,
        [
            $"""
            CREATE TABLE {IdempotencyTable} (
                tenant text NOT NULL,
                server text NOT NULL,
                tool text NOT NULL,
                key text NOT NULL,
                request_hash text NOT NULL,
                state text NOT NULL CHECK (state IN ('inflight', 'done')),
                lease_id uuid,
                lease_expires_at timestamptz,
                status int,
                content_type text,
                body bytea,
                expires_at timestamptz,
                PRIMARY KEY (tenant, server, tool, key))
            """,

            // The cleanup looks for done records past their TTL and claims past their lease.
            $"CREATE INDEX sec0_idempotency_done_expires ON {IdempotencyTable} (expires_at) WHERE state = 'done'",
            $"CREATE INDEX sec0_idempotency_inflight_expires ON {IdempotencyTable} (lease_expires_at) WHERE state = 'inflight'",
            $"""
            CREATE TABLE {BucketTable} (
                tenant text NOT NULL,
                tool_ref text NOT NULL,
                tokens double precision NOT NULL,
                updated_at timestamptz NOT NULL,
                rate double precision NOT NULL,
                burst int NOT NULL,
                taken boolean NOT NULL,
                PRIMARY KEY (tenant, tool_ref))
            """,
            $"CREATE INDEX sec0_quota_bucket_updated ON {BucketTable} (updated_at)",
            $"""
            CREATE TABLE {DailyTable} (
                tenant text NOT NULL,
                tool_ref text NOT NULL,
                day date NOT NULL,
                count bigint NOT NULL,
                PRIMARY KEY (tenant, tool_ref, day))
            """,
            $"CREATE INDEX sec0_quota_daily_day ON {DailyTable} (day)",
        ]);

        // The approvals of escalated calls: each escalation's state as the JSON line the file store keeps, and the one
        // secret every replica makes and checks approval tokens with.
        yield return (2,
        [
            $"""
            CREATE TABLE {EscalationTable} (
                id text PRIMARY KEY,
                created_at timestamptz NOT NULL,
                state text NOT NULL)
            """,
            $"CREATE INDEX sec0_escalations_created ON {EscalationTable} (created_at)",
            $"""
            CREATE TABLE {ApprovalSecretTable} (
                id int PRIMARY KEY CHECK (id = 1),
                secret bytea NOT NULL)
            """,
        ]);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();
}

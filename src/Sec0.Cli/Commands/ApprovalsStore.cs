using Sec0.Approvals;
using Sec0.Config;
using Sec0.Gateway;
using Sec0.Gateway.State.Postgres;

namespace Sec0.Cli.Commands;

/// <summary>
/// The escalations a config's processes keep, opened for <c>sec0 approvals</c>: the folder <c>approvals.dir</c>, or the
/// PostgreSQL database when the config's gateway keeps its state there (replicas share their escalations in it).
/// </summary>
internal sealed class ApprovalsStore : IAsyncDisposable
{
    private readonly PostgresGatewayState? _database;

    private ApprovalsStore(ApprovalService service, Sec0Config config, PostgresGatewayState? database, string where)
    {
        Service = service;
        Config = config;
        _database = database;
        Where = where;
    }

    public ApprovalService Service { get; }

    public Sec0Config Config { get; }

    /// <summary>Where the escalations are, for messages: the folder, or the database's schema.</summary>
    public string Where { get; }

    /// <summary>
    /// Opens the store of <paramref name="configPath"/>. With <paramref name="withTokens"/> the token secret is opened too
    /// (the reviewer page's sign-in derives from it); reading and voting need no secret.
    /// </summary>
    public static ApprovalsStore? Open(CliContext context, string configPath, bool withTokens, CancellationToken cancellationToken)
    {
        if (!File.Exists(configPath))
        {
            context.Error.WriteLine($"[sec0] No config at \"{Path.GetFullPath(configPath)}\": run in the folder of sec0.config.yaml or pass --config <path>.");
            return null;
        }

        // Only the approvals (and the gateway's state) are needed: the signing key need not be readable here.
        var config = Sec0ConfigLoader.Load(configPath, new Sec0ConfigLoadOptions { CheckSigningKeyExists = false });
        var approvals = config.Approvals!;
        if (GatewayConfigLoader.LoadPostgresState(config.FilePath) is not { } postgres)
        {
            var tokens = withTokens ? ApprovalTokens.FromKeyFile(Path.Combine(approvals.Directory, "token.key")) : null;
            return new ApprovalsStore(new ApprovalService(new FileEscalationStore(approvals.Directory), approvals.Groups, tokens), config, null, "folder " + approvals.Directory);
        }

        PostgresGatewayState database;
        try
        {
            database = PostgresGatewayState.OpenAsync(postgres.ConnectionString, postgres.Schema, TimeProvider.System, logger: null, cancellationToken).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or ArgumentException or TimeoutException or System.Net.Sockets.SocketException)
        {
            // Npgsql's text names the host and the cause; the connection string (and its password) is not repeated.
            context.Error.WriteLine($"[sec0] {config.FilePath} keeps the gateway's escalations in PostgreSQL, which could not be opened: {ex.Message} Check that the database runs and that the connection string variable (gateway.state.connection_string_env, default SEC0_GATEWAY_POSTGRES) is set here as for the gateway.");
            return null;
        }

        try
        {
            var secret = withTokens ? database.GetApprovalTokensAsync(cancellationToken).GetAwaiter().GetResult() : null;
            return new ApprovalsStore(new ApprovalService(database.Escalations, approvals.Groups, secret), config, database, $"PostgreSQL schema {postgres.Schema}");
        }
        catch
        {
            database.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Service.DisposeAsync().ConfigureAwait(false);
        if (_database is not null)
        {
            await _database.DisposeAsync().ConfigureAwait(false);
        }
    }
}

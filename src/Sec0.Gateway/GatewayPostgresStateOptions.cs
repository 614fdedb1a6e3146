namespace Sec0.Gateway;

/// <summary>
/// The gateway's shared state in PostgreSQL (<c>gateway.state.store: postgres</c>): idempotency records and quota
/// counters that every replica using the same database and schema shares. The gateway creates or migrates its
/// tables when it starts (docs/gateway.md, "Running several replicas").
/// </summary>
public sealed class GatewayPostgresStateOptions
{
    /// <summary>
    /// The Npgsql connection string (<c>Host=…;Port=…;Username=…;Password=…;Database=…</c>). From config it comes from
    /// the environment variable <c>gateway.state.connection_string_env</c> names (default <c>SEC0_GATEWAY_POSTGRES</c>),
    /// so that the password stays out of the file.
    /// </summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>The schema of the gateway's tables: a plain lower-case identifier (default <c>public</c>).</summary>
    public string Schema { get; set; } = "public";
}

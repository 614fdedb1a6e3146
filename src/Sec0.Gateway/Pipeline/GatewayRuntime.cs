using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Sec0.Audit;
using Sec0.ControlPlane;
using Sec0.Gateway.Auth;
using Sec0.Gateway.Entitlements;
using Sec0.Gateway.State;
using Sec0.Gateway.State.Postgres;
using Sec0.Gateway.Upstreams;
using Sec0.Policy;

namespace Sec0.Gateway.Pipeline;

/// <summary>
/// What every request shares, built once from <see cref="Sec0GatewayOptions"/> when the gateway starts: the
/// decision engine, entitlements, stores, upstreams and the audit appender. Every option problem is found
/// here, with a message that names the option.
/// </summary>
internal sealed class GatewayRuntime : IAsyncDisposable
{
    private PostgresGatewayState? _state;
    // Engine and policy_hash swap together, so a decision is never recorded under another policy's hash.
    private volatile PolicyInForce _policy;
    private Sec0.Approvals.ApprovalService? _approvals;

    /// <summary>The gateway's spans, on the same "Sec0" source as hops and MCP tool calls.</summary>
    internal static readonly ActivitySource Source = new(Sec0App.ActivitySourceName, typeof(GatewayRuntime).Assembly.GetName().Version?.ToString());

    public GatewayRuntime(Sec0GatewayOptions options, Func<string, GatewayTarget, IGatewayUpstream> upstreamFactory, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Logger = (ILogger?)loggerFactory?.CreateLogger("Sec0.Gateway") ?? NullLogger.Instance;
        Appender = options.Appender ?? throw Invalid("an audit appender is required: set Sec0GatewayOptions.Appender (an AuditAppender on the gateway's audit folder), or load the gateway from sec0.config.yaml, which opens controlPlane.appenderDir with controlPlane.localSignerPath.");
        Tenant = string.IsNullOrWhiteSpace(options.Tenant)
            ? throw Invalid("gateway.tenant is required (or app.tenant): the tenant callers belong to when no authentication is configured, and of every envelope.")
            : options.Tenant.Trim();
        GatewayId = $"{Require(options.Name, "gateway.name")}@{Require(options.Version, "gateway.version")}";
        Time = options.TimeProvider ?? throw Invalid("TimeProvider must not be null.");

        var policy = options.Policy ?? new PolicyDocument { Tenant = Tenant };
        _policy = new PolicyInForce(DecisionEngine.Create(policy), options.ControlPlane?.Policy?.Current.Hash);
        MaxBodyBytes = policy.Security.Limits.MaxPayloadKb is { } kb ? (long)(kb * 1024) : options.DefaultMaxBodyBytes;
        MaxDuration = policy.Security.Limits.MaxDurationMs is { } ms ? TimeSpan.FromMilliseconds(ms) : options.DefaultMaxDuration;
        if (MaxBodyBytes <= 0 || MaxDuration <= TimeSpan.Zero)
        {
            throw Invalid("the body size and duration limits must be positive.");
        }

        Entitlements = options.Entitlements is { } e ? new EntitlementChecker(e) : null;
        Validators = [.. options.CredentialValidators];
        Authenticator = new GatewayAuthenticator(Validators, Tenant);
        if (options.PostgresState is { } pg)
        {
            if (options.QuotaStore is not null || options.Dedupe.Store is not null)
            {
                throw Invalid("PostgresState replaces QuotaStore and Dedupe.Store (the replicas share both in PostgreSQL): set either PostgresState or the stores, not both.");
            }

            if (string.IsNullOrWhiteSpace(pg.ConnectionString))
            {
                throw Invalid("PostgresState.ConnectionString is empty: set it (from config, the variable gateway.state.connection_string_env names, default SEC0_GATEWAY_POSTGRES) to an Npgsql connection string such as Host=127.0.0.1;Port=5432;Username=sec0;Password=...;Database=sec0.");
            }

            // Checked now, so a bad name fails start-up before any connection is made.
            try
            {
                _ = new PostgresGatewaySchema(pg.Schema);
            }
            catch (ArgumentException ex)
            {
                throw Invalid("gateway.state.schema: " + ex.Message);
            }
        }
        else if (options.Entitlements is { } ent && HasQuotas(ent) && options.QuotaStore is null)
        {
            throw Invalid("quotas adapter required: use the in-memory store for development (gateway.quotas.store: memory, or Sec0GatewayOptions.QuotaStore = new InMemoryQuotaStore()); the entitlements set rate or daily limits, and they need a store.");
        }

        // With PostgresState, both are set by OpenStateAsync when the host starts.
        Quotas = options.QuotaStore;
        Dedupe = options.Dedupe.Enabled && options.PostgresState is null ? options.Dedupe.Store ?? new InMemoryIdempotencyStore(Time) : null;
        DedupeTtl = options.Dedupe.Ttl;
        DedupeWait = options.Dedupe.WaitForFirst;
        DedupeLease = options.Dedupe.Lease ?? MaxDuration + TimeSpan.FromSeconds(30);
        if (DedupeLease <= MaxDuration)
        {
            // A shorter lease lets another replica take a key over while its first call may still run: twice executed.
            throw Invalid($"the idempotency lease ({DedupeLease.TotalMilliseconds:0} ms, gateway.dedupe.lease_ms) must be longer than the longest call ({MaxDuration.TotalMilliseconds:0} ms, security.limits.max_duration_ms): otherwise a call still running could be run again.");
        }

        var upstreams = new Dictionary<string, IGatewayUpstream>(StringComparer.Ordinal);
        foreach (var (server, upstream) in options.Upstreams)
        {
            upstreams[server] = upstream;
        }

        foreach (var (server, target) in options.Targets)
        {
            if (!upstreams.ContainsKey(server))
            {
                upstreams[server] = upstreamFactory(server, target);
            }
        }

        if (upstreams.Count == 0)
        {
            throw Invalid("gateway.targets is empty: name at least one server, e.g. targets: { weather: { mcp: http://127.0.0.1:5001/mcp } }.");
        }

        Upstreams = upstreams;

        // Before the background services start: nothing after it can fail and leave its client undisposed.
        Remote = options.RemoteDecisions is { } remote ? new RemoteDecider(remote, Logger) : null;
        options.ControlPlane?.AuditUpload?.Start();
        if (options.ControlPlane?.Policy is { } source)
        {
            source.OnChanged(snapshot => _policy = new PolicyInForce(DecisionEngine.Create(snapshot.Policy), snapshot.Hash), next => RestartOnlyChanges(policy, next));
            source.StartRefreshing();
        }
    }

    /// <summary>What a new control-plane policy changes that the gateway sets up only at start: body and duration limits, approvals.</summary>
    private static List<string> RestartOnlyChanges(PolicyDocument running, PolicyDocument next)
    {
        var problems = new List<string>();
        void Check(string key, object? before, object? after)
        {
            if (!Equals(before, after))
            {
                problems.Add($"{key} changes from {before ?? "(unset)"} to {after ?? "(unset)"}, which the gateway applies only at start-up: restart it to use the new policy");
            }
        }

        Check("security.limits.max_payload_kb", running.Security.Limits.MaxPayloadKb, next.Security.Limits.MaxPayloadKb);
        Check("security.limits.max_duration_ms", running.Security.Limits.MaxDurationMs, next.Security.Limits.MaxDurationMs);
        Check("security.side_effects.approve_high_risk", running.Security.SideEffects.ApproveHighRisk, next.Security.SideEffects.ApproveHighRisk);
        return problems;
    }

    /// <summary>Remote decisions, when <see cref="Sec0GatewayOptions.RemoteDecisions"/> is set.</summary>
    public RemoteDecider? Remote { get; }

    public Sec0GatewayOptions Options { get; }

    public ILogger Logger { get; }

    public AuditAppender Appender { get; }

    public string Tenant { get; }

    public string GatewayId { get; }

    public TimeProvider Time { get; }

    /// <summary>The engine requests are decided with; swapped whole when the control-plane policy changes.</summary>
    public DecisionEngine Engine => _policy.Engine;

    /// <summary>The engine and the <c>policy_hash</c> of its control-plane policy (null for a local policy), read as one.</summary>
    public PolicyInForce Policy => _policy;

    public long MaxBodyBytes { get; }

    public TimeSpan MaxDuration { get; }

    public EntitlementChecker? Entitlements { get; }

    public IReadOnlyList<IGatewayCredentialValidator> Validators { get; }

    /// <summary>Checks the credential of every route the gateway serves.</summary>
    public GatewayAuthenticator Authenticator { get; }

    public IQuotaStore? Quotas { get; private set; }

    public IIdempotencyStore? Dedupe { get; private set; }

    public TimeSpan DedupeTtl { get; }

    public TimeSpan DedupeWait { get; }

    public TimeSpan DedupeLease { get; }

    public IReadOnlyDictionary<string, IGatewayUpstream> Upstreams { get; }

    /// <summary>
    /// Opens <see cref="Sec0GatewayOptions.PostgresState"/> (migrating its tables) and takes its stores; does nothing
    /// without it. Called when the host starts, before the server takes requests.
    /// </summary>
    /// <exception cref="Sec0GatewayOptionsException">The database cannot be reached or refused the migrations.</exception>
    public async Task OpenStateAsync(CancellationToken cancellationToken)
    {
        if (Options.PostgresState is not { } pg || _state is not null)
        {
            return;
        }

        try
        {
            _state = await PostgresGatewayState.OpenAsync(pg.ConnectionString, pg.Schema, Time, Logger, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or ArgumentException or TimeoutException or System.Net.Sockets.SocketException)
        {
            // Npgsql's message names the host and the cause; the connection string (with its password) is not repeated.
            throw Invalid($"gateway.state: the PostgreSQL state store could not be opened: {ex.Message} Check that the database is running and that the connection string (SEC0_GATEWAY_POSTGRES, or the variable gateway.state.connection_string_env names) is right.", ex);
        }

        Quotas = _state.Quotas;
        Dedupe = Options.Dedupe.Enabled ? _state.Idempotency : null;
        if (Options.SharedApprovalGroups is { } groups && Options.Approvals is null)
        {
            _approvals = new Sec0.Approvals.ApprovalService(
                _state.Escalations,
                groups,
                await _state.GetApprovalTokensAsync(cancellationToken).ConfigureAwait(false),
                Appender,
                Time,
                Logger,
                Options.Environment,
                Options.SharedApprovalRetention);
            _approvals.StartSweeper(TimeSpan.FromSeconds(5));
            Options.Approvals = _approvals;
        }

        Logger.GatewayPostgresState(pg.Schema, PostgresGatewaySchema.CurrentVersion);
    }

    /// <summary>An envelope with what every gateway envelope carries: time, tenant, environment, the gateway's name.</summary>
    public AuditEnvelope NewEnvelope(string? tenant) => new()
    {
        Timestamp = Time.GetUtcNow(),
        Tenant = tenant ?? Tenant,
        Environment = Options.Environment,
        ClientName = Options.Name,
        ClientVersion = Options.Version,
        NodeType = "gateway",
        Gateway = GatewayId,
        DefaultRetention = Engine.Policy.AuditRetention,
    };

    /// <summary>Queues an envelope; a write failure is logged, never swallowed silently (the answer is already decided).</summary>
    public void Record(AuditEnvelope e)
    {
        try
        {
            Appender.Enqueue(e);
        }
        catch (Sec0AuditException ex)
        {
            Logger.GatewayEnvelopeNotWritten(ex, e.Op, e.ToolRef ?? "(no route)", e.HttpStatus);
        }
    }

    /// <summary>A user, node id or agent ref as recorded: as given, or <c>sha256:&lt;hex&gt;</c> with <c>privacy.redact_identities</c>.</summary>
    public string? Identity(string? value)
        => value is null || !Options.RedactIdentities ? value : "sha256:" + Sha256Hex.Of(System.Text.Encoding.UTF8.GetBytes(value));

    public async ValueTask DisposeAsync()
    {
        Remote?.Dispose();
        foreach (var upstream in Upstreams.Values)
        {
            await upstream.DisposeAsync().ConfigureAwait(false);
        }

        // Before the state (its store) and the audit log (its records).
        if (_approvals is not null)
        {
            await _approvals.DisposeAsync().ConfigureAwait(false);
        }

        if (_state is not null)
        {
            await _state.DisposeAsync().ConfigureAwait(false);
        }

        // The audit log goes before its key: the appender signs its last records while closing.
        foreach (var owned in Options.Owned)
        {
            if (owned is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
            }
            else if (owned is IDisposable disposable)
            {
                disposable.Dispose();
            }
        }
    }

    private static bool HasQuotas(GatewayEntitlements entitlements)
        => entitlements.Plans.Values.Any(static p => p is not null)
            || entitlements.Tenants.Values.Any(static t => t.PerTool.Values.Any(static l => l.RatePerSecond is not null || l.CallsPerDay is not null));

    private static string Require(string? value, string name)
        => string.IsNullOrWhiteSpace(value) ? throw Invalid($"{name} must not be empty.") : value.Trim();

    internal static Sec0GatewayOptionsException Invalid(string message) => new("[sec0-gateway] " + message);

    private static Sec0GatewayOptionsException Invalid(string message, Exception inner) => new("[sec0-gateway] " + message, inner);

    /// <summary>The policy requests are decided with: its engine and, for a control-plane policy, its <c>policy_hash</c>.</summary>
    internal sealed record PolicyInForce(DecisionEngine Engine, string? PolicyHash);
}

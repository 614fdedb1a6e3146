using Microsoft.Extensions.Logging;
using Sec0.Audit;
using Sec0.Config;
using Sec0.Config.Yaml;
using Sec0.ControlPlane;
using Sec0.Gateway.Auth;
using Sec0.Gateway.Entitlements;
using Sec0.Gateway.State;
using Sec0.Gateway.Upstreams;
using Sec0.Policy;
using YamlDotNet.RepresentationModel;

namespace Sec0.Gateway;

/// <summary>
/// Reads the gateway's options from the <c>gateway:</c> block of <c>sec0.config.yaml</c> (docs/gateway.md lists every
/// key) and opens the signed audit log the rest of the file describes. Every problem is a
/// <see cref="Sec0ConfigException"/> naming the file, line and key, raised here, at start-up.
/// </summary>
public static class GatewayConfigLoader
{
    private const string Block = "gateway";

    /// <summary>Loads the gateway options from <paramref name="configPath"/> and opens its audit log (owned by the gateway).</summary>
    /// <param name="configPath">The config file.</param>
    /// <param name="environment">Reads environment variables (default: the process's).</param>
    /// <param name="loggerFactory">For the audit log's and the loader's messages.</param>
    /// <param name="timeProvider">The clock (default: the system's).</param>
    /// <exception cref="Sec0ConfigException">The file or its <c>gateway</c> block is missing or invalid.</exception>
    /// <exception cref="Sec0.Signing.Sec0SignerException">The signing key can't be loaded.</exception>
    /// <exception cref="Sec0AuditException">The audit folder can't be opened or is in use.</exception>
    public static Sec0GatewayOptions Load(string configPath = Sec0ConfigLoader.DefaultFileName, Func<string, string?>? environment = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        timeProvider ??= TimeProvider.System;
        var config = Sec0ConfigLoader.Load(configPath, new Sec0ConfigLoadOptions { Environment = environment });
        var (reader, gateway) = ReadGatewayBlock(config);
        if (gateway is null)
        {
            throw ConfigErrors.Invalid(config.FilePath, "has no gateway block: add gateway: { port: 8088, targets: { <server>: { mcp: http://127.0.0.1:5001/mcp } } } (docs/gateway.md)");
        }

        var options = new Sec0GatewayOptions
        {
            Name = reader.ReadString(gateway, "name", Block) ?? "sec0-gateway",
            Version = reader.ReadString(gateway, "version", Block) ?? "1.0.0",
            Tenant = reader.ReadString(gateway, "tenant", Block) ?? config.App.Tenant,
            Environment = config.App.Environment,
            Host = reader.ReadString(gateway, "host", Block) ?? "127.0.0.1",
            Port = reader.ReadInt(gateway, "port", Block, minimum: 0) ?? 8080,
            RedactIdentities = reader.ReadBool(reader.ReadMapping(gateway, "privacy", Block), "redact_identities", Block + ".privacy") ?? false,
            ReviewerPage = reader.ReadBool(gateway, "reviewer_page", Block) ?? true,
            TimeProvider = timeProvider,
            RemoteDecisions = config.ControlPlane.Runtime,
        };
        if (options.Port > 65535)
        {
            throw reader.Error(Block + ".port", "must be a TCP port, 0 to 65535 (0 picks a free one)", YamlConfigReader.Get(gateway, "port"));
        }

        ReadTargets(reader, gateway, config.Directory, options);
        ReadAuthn(reader, gateway, environment, timeProvider, options);
        options.Entitlements = ReadEntitlements(reader, gateway);
        ReadState(reader, gateway, environment, options);
        ReadQuotas(reader, gateway, options);
        ReadDedupe(reader, gateway, options);
        options.Policy = ReadPolicy(reader, gateway, config, options.Tenant!);

        var logger = loggerFactory?.CreateLogger("Sec0.Gateway");
        ControlPlaneConnection? controlPlane = null;
        var retentionGuard = ControlPlaneConnection.RetentionGuard(config, () => controlPlane);
        var (signer, appender) = ConfiguredAuditLog.Open(config, createKeyIfMissing: false, timeProvider, logger, environment, retentionGuard);
        options.Appender = appender;
        try
        {
            // Start-up only, bounded by the client's timeouts; the loader is synchronous like the rest of start-up configuration.
            options.ControlPlane = controlPlane = ControlPlaneConnection.OpenAsync(config, signer, environment, timeProvider, logger).GetAwaiter().GetResult();
        }
        catch
        {
            appender.Dispose();
            signer.Dispose();
            throw;
        }

        if (controlPlane is not null)
        {
            options.Policy = controlPlane.Policy?.Current.Policy ?? options.Policy;
            options.Owned.Add(controlPlane);
        }

        if (options.Policy?.Security.SideEffects.ApproveHighRisk == true)
        {
            OpenApprovals(config, environment, timeProvider, logger, options);
        }

        if (controlPlane is not null && config.ControlPlane.Escalations == EscalationReporting.Mirror)
        {
            MirrorEscalations(controlPlane, options, timeProvider, logger);
        }

        // Disposed in this order: the control plane's refreshes first, the audit log before its key.
        options.Owned.Add(appender);
        options.Owned.Add(signer);
        return options;
    }

    /// <summary>
    /// Only the shared state of <paramref name="configPath"/>'s gateway: its PostgreSQL store (<c>gateway.state</c>,
    /// connection string from the environment), or null when the file has no gateway or keeps its state in memory.
    /// <c>sec0 approvals</c> uses it to reach the escalations replicas share.
    /// </summary>
    /// <param name="configPath">The sec0.config.yaml.</param>
    /// <param name="environment">Reads environment variables (default: the process's).</param>
    /// <exception cref="Sec0ConfigException">The file or its <c>gateway.state</c> block is invalid, or the connection string's variable is not set.</exception>
    public static GatewayPostgresStateOptions? LoadPostgresState(string configPath, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var config = Sec0ConfigLoader.Load(configPath, new Sec0ConfigLoadOptions { Environment = environment, CheckSigningKeyExists = false });
        var (reader, gateway) = ReadGatewayBlock(config);
        if (gateway is null)
        {
            return null;
        }

        var options = new Sec0GatewayOptions();
        ReadState(reader, gateway, environment, options);
        return options.PostgresState;
    }

    private static (YamlConfigReader Reader, ConfigMapping? Gateway) ReadGatewayBlock(Sec0Config config)
    {
        var text = YamlTextFile.Read(config.FilePath, Sec0ConfigLoader.MaxFileBytes, () => ConfigErrors.NotFound(config.FilePath), (detail, inner) => ConfigErrors.Invalid(config.FilePath, detail, inner: inner));
        var root = YamlDocumentParser.ParseSingleDocument(text, YamlLimits.MaxNestingDepth, (line, column, message, inner) => ConfigErrors.Syntax(config.FilePath, line, column, message, inner), second => ConfigErrors.Invalid(config.FilePath, "the file holds more than one YAML document"));
        var reader = new YamlConfigReader(config.FilePath);
        var rootMapping = reader.ReadMapping(root, "the root");
        return (reader, reader.ReadMapping(rootMapping, Block, string.Empty));
    }

    /// <summary>
    /// The approvals of escalated calls: the store in <c>approvals.dir</c> (in the shared database when the gateway's state
    /// is in PostgreSQL), the reviewer groups, the token secret beside the store, the gateway's audit log for the
    /// records, and a sweeper that applies timeouts. Disposed before the audit log.
    /// </summary>
    private static void OpenApprovals(Sec0Config config, Func<string, string?>? environment, TimeProvider? timeProvider, ILogger? logger, Sec0GatewayOptions options)
    {
        var approvals = config.Approvals!;
        if (Sec0.Approvals.EscalationTimeoutVariable.Read(environment, config.FilePath) is { } timeout)
        {
            options.EscalationTimeout = timeout;
        }

        if (options.PostgresState is not null)
        {
            // Replicas share the escalations and the token secret in the database, opened when the gateway starts.
            options.SharedApprovalGroups = approvals.Groups;
            options.SharedApprovalRetention = approvals.Retention;
            return;
        }

        var service = Sec0.Approvals.ApprovalService.OpenFolder(approvals.Directory, approvals.Groups, options.Appender, timeProvider, logger, config.App.Environment, approvals.Retention);
        options.Approvals = service;
        options.Owned.Insert(0, service);
    }

    /// <summary>
    /// <c>controlPlane.escalations: mirror</c> for the gateway's folder of escalations, with its own id map beside the app's
    /// (both may share a <c>sec0Dir</c>). Replicas sharing escalations in PostgreSQL are not mirrored: each would report them.
    /// </summary>
    private static void MirrorEscalations(ControlPlaneConnection controlPlane, Sec0GatewayOptions options, TimeProvider timeProvider, ILogger? logger)
    {
        if (options.Approvals is not { } approvals)
        {
            if (options.PostgresState is null)
            {
                logger?.GatewayEscalationMirrorIdle();
            }
            else
            {
                logger?.GatewayEscalationMirrorUnsupported();
            }

            return;
        }

        var mirror = new EscalationMirror(controlPlane.Client, approvals, options.Tenant!, Path.Combine(controlPlane.StateDirectory, "gateway"), timeProvider, logger);

        // Disposed first: it reports on the approvals and records into their audit log.
        options.Owned.Insert(0, mirror);
    }

    private static void ReadTargets(YamlConfigReader reader, ConfigMapping gateway, string directory, Sec0GatewayOptions options)
    {
        const string path = Block + ".targets";
        var targets = reader.ReadMapping(gateway, "targets", Block)
            ?? throw reader.Error(path, "is required: name at least one server, e.g. targets: { weather: { mcp: http://127.0.0.1:5001/mcp } }", gateway.Node);
        foreach (var entry in targets.Entries)
        {
            var server = entry.Key;
            var at = YamlConfigReader.Join(path, server);
            if (entry.Value is YamlScalarNode)
            {
                // A bare URL is a Sec0 TypeScript-style tool server, as in the TS gateway's targets map.
                options.Targets[server] = new GatewayTarget { Kind = GatewayTargetKind.LegacyHttp, Url = Url(reader, targets, server, path) };
                continue;
            }

            var target = reader.ReadMapping(entry.Value, at)!;
            var mcp = YamlConfigReader.Get(target, "mcp") is not null;
            var http = YamlConfigReader.Get(target, "http") is not null;
            var stdio = YamlConfigReader.Get(target, "stdio") is not null;
            if ((mcp ? 1 : 0) + (http ? 1 : 0) + (stdio ? 1 : 0) != 1)
            {
                throw reader.Error(at, "must name exactly one of mcp (an MCP server's Streamable HTTP URL), stdio (a command that starts an MCP server) or http (a Sec0 tool server's base URL)", entry.Value);
            }

            if (stdio)
            {
                var env = new Dictionary<string, string>(StringComparer.Ordinal);
                if (reader.ReadMapping(target, "env", at) is { } envMapping)
                {
                    foreach (var variable in envMapping.Entries)
                    {
                        env[variable.Key] = reader.ReadString(envMapping, variable.Key, YamlConfigReader.Join(at, "env")) ?? string.Empty;
                    }
                }

                var cwd = reader.ReadString(target, "cwd", at);
                options.Targets[server] = new GatewayTarget
                {
                    Kind = GatewayTargetKind.McpStdio,
                    Command = reader.ReadString(target, "stdio", at),
                    Arguments = reader.ReadStringList(target, "args", at) ?? [],
                    WorkingDirectory = cwd is null ? null : Path.GetFullPath(cwd, directory),
                    Environment = env,
                    PoolSize = reader.ReadInt(target, "pool", at, minimum: 1) ?? 1,
                };
            }
            else
            {
                options.Targets[server] = new GatewayTarget { Kind = mcp ? GatewayTargetKind.McpHttp : GatewayTargetKind.LegacyHttp, Url = Url(reader, target, mcp ? "mcp" : "http", at) };
            }
        }
    }

    private static Uri Url(YamlConfigReader reader, ConfigMapping mapping, string key, string parentPath)
    {
        var text = reader.ReadString(mapping, key, parentPath);
        if (text is null || !Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw reader.Error(YamlConfigReader.Join(parentPath, key), "must be an absolute http:// or https:// URL", YamlConfigReader.Get(mapping, key));
        }

        return url;
    }

    private static void ReadAuthn(YamlConfigReader reader, ConfigMapping gateway, Func<string, string?> environment, TimeProvider time, Sec0GatewayOptions options)
    {
        const string path = Block + ".authn";
        var authn = reader.ReadMapping(gateway, "authn", Block);
        if (authn is null)
        {
            return;
        }

        if (reader.ReadMapping(authn, "service_token", path) is { } token)
        {
            var at = path + ".service_token";
            var variable = reader.ReadString(token, "secret_env", at) ?? "SEC0_GATEWAY_TOKEN_SECRET";
            var secret = environment(variable);
            if (string.IsNullOrWhiteSpace(secret))
            {
                throw reader.Error(at + ".secret_env", $"names the environment variable {variable}, which is not set: set it to the base64 HMAC secret service tokens are signed with", token.Node);
            }

            var skew = reader.ReadNumber(token, "clock_skew_seconds", at, 0, 3600) ?? 60;
            options.CredentialValidators.Add(GatewayValidatorFactory.ServiceToken(secret, TimeSpan.FromSeconds(skew), time, at, reader.FilePath));
        }

        if (reader.ReadMapping(authn, "oidc", path) is { } oidc)
        {
            var at = path + ".oidc";
            string Required(string key) => reader.ReadString(oidc, key, at) ?? throw reader.Error(YamlConfigReader.Join(at, key), "is required for OIDC", oidc.Node);
            var issuer = Required("issuer");
            var audience = Required("audience");
            var jwks = Required("jwks_uri");
            var validator = GatewayValidatorFactory.Oidc(
                new OidcJwtValidatorOptions
                {
                    Issuer = issuer,
                    Audience = audience,
                    JwksUri = Uri.TryCreate(jwks, UriKind.Absolute, out var jwksUri) ? jwksUri : throw reader.Error(at + ".jwks_uri", "must be an absolute URL", YamlConfigReader.Get(oidc, "jwks_uri")),
                    // The TS gateway's defaults (org, email), so its authn.oidc blocks mean the same here.
                    TenantClaim = reader.ReadString(oidc, "tenantClaim", at) ?? "org",
                    FallbackTenantClaim = null,
                    UserClaim = reader.ReadString(oidc, "userClaim", at) ?? "email",
                    RolesClaim = reader.ReadString(oidc, "rolesClaim", at) ?? "roles",
                    TimeProvider = time,
                },
                at,
                reader.FilePath);
            options.CredentialValidators.Add(validator);
            if (validator is IDisposable owned)
            {
                options.Owned.Add(owned);
            }
        }

        if (options.CredentialValidators.Count == 0 && reader.ReadBool(authn, "allowUnauthenticated", path) != true)
        {
            throw reader.Error(path, "names no credential: set service_token or oidc, or allowUnauthenticated: true to trust every caller as the gateway's tenant", authn.Node);
        }
    }

    private static GatewayEntitlements? ReadEntitlements(YamlConfigReader reader, ConfigMapping gateway)
    {
        const string path = Block + ".entitlements";
        var mapping = reader.ReadMapping(gateway, "entitlements", Block);
        if (mapping is null)
        {
            return null;
        }

        var plans = new Dictionary<string, long?>(StringComparer.Ordinal);
        if (reader.ReadMapping(mapping, "plans", path) is { } planMapping)
        {
            foreach (var plan in planMapping.Entries)
            {
                var at = YamlConfigReader.Join(path + ".plans", plan.Key);
                var daily = reader.ReadNumber(reader.ReadMapping(plan.Value, at), "calls_per_day", at, 0, long.MaxValue);
                plans[plan.Key] = daily is { } d ? (long)d : null;
            }
        }

        var defaultPlan = reader.ReadString(mapping, "default_plan", path) ?? "default";
        var tenants = new Dictionary<string, TenantEntitlement>(StringComparer.Ordinal);
        if (reader.ReadMapping(mapping, "tenants", path) is { } tenantMapping)
        {
            foreach (var tenant in tenantMapping.Entries)
            {
                var at = YamlConfigReader.Join(path + ".tenants", tenant.Key);
                var t = reader.ReadMapping(tenant.Value, at) ?? throw reader.Error(at, "must be a mapping with allowlist (and optionally plan, denylist, per_tool, users, roles, agents)", tenant.Value);
                var planName = reader.ReadString(t, "plan", at);
                if (planName is not null && !plans.ContainsKey(planName))
                {
                    throw reader.Error(at + ".plan", $"names the plan \"{planName}\", which is not under {path}.plans", YamlConfigReader.Get(t, "plan"));
                }

                var perTool = new Dictionary<string, ToolLimits>(StringComparer.Ordinal);
                if (reader.ReadMapping(t, "per_tool", at) is { } tools)
                {
                    foreach (var tool in tools.Entries)
                    {
                        var toolAt = YamlConfigReader.Join(at + ".per_tool", tool.Key);
                        if (!ToolRefPattern.TryParse(tool.Key, out _, out var why))
                        {
                            throw reader.Error(toolAt, why, tool.KeyNode);
                        }

                        var limits = reader.ReadMapping(tool.Value, toolAt);
                        var rate = reader.ReadNumber(limits, "rate_per_sec", toolAt, 0.001, 1_000_000);
                        var daily = reader.ReadNumber(limits, "calls_per_day", toolAt, 0, long.MaxValue);
                        perTool[tool.Key] = new ToolLimits(rate, daily is { } d ? (long)d : null);
                    }
                }

                tenants[tenant.Key] = new TenantEntitlement
                {
                    Plan = planName,
                    Allowlist = Patterns(reader, t, "allowlist", at),
                    Denylist = Patterns(reader, t, "denylist", at),
                    PerTool = perTool,
                    Users = Principals(reader, t, "users", at),
                    Roles = Principals(reader, t, "roles", at),
                    Agents = Principals(reader, t, "agents", at),
                };
            }
        }

        return new GatewayEntitlements { DefaultPlan = defaultPlan, Plans = plans, Tenants = tenants };
    }

    private static Dictionary<string, PrincipalEntitlement> Principals(YamlConfigReader reader, ConfigMapping tenant, string key, string parentPath)
    {
        var result = new Dictionary<string, PrincipalEntitlement>(StringComparer.Ordinal);
        var at = YamlConfigReader.Join(parentPath, key);
        if (reader.ReadMapping(tenant, key, parentPath) is { } mapping)
        {
            foreach (var entry in mapping.Entries)
            {
                var entryAt = YamlConfigReader.Join(at, entry.Key);
                var principal = reader.ReadMapping(entry.Value, entryAt);
                result[entry.Key] = new PrincipalEntitlement { Allowlist = Patterns(reader, principal, "allowlist", entryAt), Denylist = Patterns(reader, principal, "denylist", entryAt) };
            }
        }

        return result;
    }

    private static ToolRefPattern[] Patterns(YamlConfigReader reader, ConfigMapping? mapping, string key, string parentPath)
    {
        var items = reader.ReadStringItems(mapping, key, parentPath);
        if (items is null)
        {
            return [];
        }

        var patterns = new ToolRefPattern[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            patterns[i] = ToolRefPattern.TryParse(items[i].Value, out var pattern, out var why)
                ? pattern
                : throw reader.Error(YamlConfigReader.Join(parentPath, key), why, items[i].Node);
        }

        return patterns;
    }

    /// <summary>
    /// <c>gateway.state</c>: where idempotency records and quota counters live. <c>memory</c> (the default) for one
    /// process; <c>postgres</c> for replicas, with the connection string from an environment variable so that the
    /// password stays out of the file.
    /// </summary>
    private static void ReadState(YamlConfigReader reader, ConfigMapping gateway, Func<string, string?> environment, Sec0GatewayOptions options)
    {
        const string path = Block + ".state";
        var state = reader.ReadMapping(gateway, "state", Block);
        if (state is null)
        {
            return;
        }

        options.StateFailOpen = reader.ReadBool(state, "fail_open", path) ?? false;
        var store = reader.ReadString(state, "store", path);
        switch (store)
        {
            case null or "memory":
                foreach (var key in (string[])["connection_string_env", "schema"])
                {
                    if (YamlConfigReader.Get(state, key) is { } node)
                    {
                        throw reader.Error(path + "." + key, "applies to store: postgres only; the store is memory", node);
                    }
                }

                return;
            case "postgres":
                break;
            default:
                throw reader.Error(path + ".store", $"is \"{store}\": use memory (one process, the default) or postgres (replicas sharing one database)", YamlConfigReader.Get(state, "store"));
        }

        var variable = reader.ReadString(state, "connection_string_env", path) ?? "SEC0_GATEWAY_POSTGRES";
        var connectionString = environment(variable);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw reader.Error(
                path + ".store",
                $"is postgres, but the environment variable {variable} is not set: set it to an Npgsql connection string such as Host=127.0.0.1;Port=5432;Username=sec0;Password=...;Database=sec0" +
                (YamlConfigReader.Get(state, "connection_string_env") is null ? " (or name another variable in gateway.state.connection_string_env)" : string.Empty),
                YamlConfigReader.Get(state, "store"));
        }

        var schema = reader.ReadString(state, "schema", path) ?? "public";
        try
        {
            _ = new State.Postgres.PostgresGatewaySchema(schema);
        }
        catch (ArgumentException)
        {
            throw reader.Error(path + ".schema", $"is \"{schema}\": use a lower-case identifier (a letter or underscore, then letters, digits or underscores, at most 63)", YamlConfigReader.Get(state, "schema"));
        }

        options.PostgresState = new GatewayPostgresStateOptions { ConnectionString = connectionString, Schema = schema };
    }

    private static void ReadQuotas(YamlConfigReader reader, ConfigMapping gateway, Sec0GatewayOptions options)
    {
        const string path = Block + ".quotas";
        var quotas = reader.ReadMapping(gateway, "quotas", Block);
        var store = reader.ReadString(quotas, "store", path);
        CheckStoreMatchesState(reader, quotas, path, store, options);
        if (store == "memory")
        {
            options.QuotaStore = new InMemoryQuotaStore();
        }
    }

    /// <summary>
    /// <c>quotas.store</c> and <c>dedupe.store</c> (the TS gateway's keys) may repeat <c>gateway.state.store</c>, never
    /// contradict it: half the state in one process's memory would break the replicas' guarantees without a word.
    /// </summary>
    private static void CheckStoreMatchesState(YamlConfigReader reader, ConfigMapping? block, string path, string? store, Sec0GatewayOptions options)
    {
        var stateStore = options.PostgresState is null ? "memory" : "postgres";
        switch (store)
        {
            case null:
                return;
            case "memory" or "postgres" when store == stateStore:
                return;
            case "memory" or "postgres":
                throw reader.Error(path + ".store", $"is {store}, but gateway.state.store is {stateStore}: the idempotency records and quota counters live in one place; remove {path}.store or make gateway.state.store {store}", YamlConfigReader.Get(block, "store"));
            default:
                throw reader.Error(path + ".store", $"is \"{store}\": the stores are memory (one process) and postgres (set gateway.state.store: postgres)", YamlConfigReader.Get(block, "store"));
        }
    }

    private static void ReadDedupe(YamlConfigReader reader, ConfigMapping gateway, Sec0GatewayOptions options)
    {
        const string path = Block + ".dedupe";
        var dedupe = reader.ReadMapping(gateway, "dedupe", Block);
        if (dedupe is null)
        {
            return;
        }

        options.Dedupe.Enabled = reader.ReadBool(dedupe, "enabled", path) ?? true;
        if (reader.ReadNumber(dedupe, "ttlSec", path, 1, 30 * 86400) is { } ttl)
        {
            options.Dedupe.Ttl = TimeSpan.FromSeconds(ttl);
        }

        if (reader.ReadNumber(dedupe, "wait_ms", path, 0, 600_000) is { } wait)
        {
            options.Dedupe.WaitForFirst = TimeSpan.FromMilliseconds(wait);
        }

        if (reader.ReadNumber(dedupe, "lease_ms", path, 1, 86_400_000) is { } lease)
        {
            options.Dedupe.Lease = TimeSpan.FromMilliseconds(lease);
        }

        switch (reader.ReadString(dedupe, "duplicatePolicy", path))
        {
            case null or "replay":
                break;
            case "reject":
                options.Dedupe.WaitForFirst = TimeSpan.Zero;
                break;
            case var other:
                throw reader.Error(path + ".duplicatePolicy", $"is \"{other}\": use replay (a duplicate waits for the first answer) or reject (409 at once)", YamlConfigReader.Get(dedupe, "duplicatePolicy"));
        }

        CheckStoreMatchesState(reader, dedupe, path, reader.ReadString(dedupe, "store", path), options);
    }

    /// <summary>
    /// The policy calls are decided with: the file named by the config's <c>policy</c>, or the gateway block's own
    /// <c>enforcement</c>, <c>security</c> and <c>tools</c> (as Sec0's TS gateway takes them), read by the one policy loader.
    /// </summary>
    private static PolicyDocument? ReadPolicy(YamlConfigReader reader, ConfigMapping gateway, Sec0Config config, string tenant)
    {
        var inline = new YamlMappingNode();
        foreach (var key in (string[])["enforcement", "security", "tools"])
        {
            if (YamlConfigReader.Get(gateway, key) is { } node)
            {
                inline.Add(key, node);
            }
        }

        if (inline.Children.Count == 0)
        {
            // A control-plane policy is fetched once the audit key is open (Load), which signs its last good copy.
            return config.PolicyPath is { } policyPath ? PolicyLoader.Load(policyPath) : null;
        }

        if (config.PolicyPath is not null || config.ControlPlanePolicy is not null)
        {
            throw reader.Error(Block, $"sets enforcement, security or tools while the config also names {(config.PolicyPath is null ? "the control plane's policy" : "a policy file")}: keep them in one place", gateway.Node);
        }

        inline.Add("tenant", tenant);
        var stream = new YamlStream(new YamlDocument(inline));
        using var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        return PolicyLoader.Parse(writer.ToString(), config.FilePath + " (gateway block)");
    }
}

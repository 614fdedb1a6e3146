using System.Collections.Frozen;
using System.Security;
using Sec0.Approvals;
using Sec0.Audit;
using Sec0.Config.Yaml;
using YamlDotNet.RepresentationModel;

namespace Sec0.Config;

/// <summary>
/// Builds a validated <see cref="Sec0Config"/> from the root node of a parsed <c>sec0.config.yaml</c>:
/// checks shapes and required fields, applies defaults and fallbacks, resolves paths. It stops at the first
/// problem: its reader gets no problem list, so a bad value is thrown as the documented
/// <see cref="Sec0ConfigException"/> text and nothing inside catches it (the policy builder lists every problem instead).
/// </summary>
internal sealed class ConfigModelBuilder
{
    private static readonly string[] s_rootKeys = ["app", "auth", "orchestrator", "controlPlane", "audit", "approvals", "policy", "otel"];
    private static readonly string[] s_otelKeys = ["endpoint", "serviceName", "environment", "export"];
    private static readonly string[] s_appKeys = ["tenant", "environment", "client", "hops"];
    private static readonly string[] s_clientKeys = ["name", "version"];
    private static readonly string[] s_authKeys = ["svcToken", "sec0ApiKey"];
    private static readonly string[] s_orchestratorKeys = ["gatewayBaseUrl"];
    private static readonly string[] s_controlPlaneKeys = ["apiBaseUrl", "sec0Dir", "localSignerPath", "appenderDir", "retentionDays", "escalations", "auditUpload", "runtime"];
    private static readonly string[] s_auditKeys = ["flush", "signing", "checkpointEvery", "checkpointIntervalMs", "channelCapacity"];
    private static readonly string[] s_hopKeys =
    [
        HopRequirements.TypeField, "nodeId", "agentName", "agentVersion", "orchestratorName", "orchestratorVersion", "gateway", "gatewayBaseUrl",
        "tenant", "authHeader", "server", "tool", "middleware", "op", "skill", "enforcement",
    ];

    private static readonly string[] s_enforcementKeys = ["mode", "strategy", "deny_on", "denyOn", "escalate_on", "escalateOn", "enabled"];

    /// <summary>Sec0's TypeScript SDK reads these (in both spellings) to pick a control-plane policy; here they do nothing.</summary>
    private static readonly string[] s_tsControlPlaneEnforcementKeys =
    [
        "policyLevel", "policy_level", "policyScope", "policy_scope", "policyNodeId", "policy_node_id",
        "refreshTtlMs", "refresh_ttl_ms", "fallbackToBase", "fallback_to_base",
    ];

    private readonly string _filePath;
    private readonly string _directory;
    private readonly Sec0ConfigLoadOptions _options;
    private readonly Func<string, string?> _environment;
    private readonly YamlConfigReader _reader;
    private readonly List<string> _unknownKeys = [];

    public ConfigModelBuilder(string filePath, string directory, Sec0ConfigLoadOptions options)
    {
        _filePath = filePath;
        _directory = directory;
        _options = options;
        _environment = options.Environment ?? Environment.GetEnvironmentVariable;
        _reader = new YamlConfigReader(filePath);
    }

    public Sec0Config Build(YamlNode? rootNode)
    {
        if (YamlConfigReader.IsNull(rootNode) || rootNode is not YamlMappingNode)
        {
            throw rootNode is null || YamlConfigReader.IsNull(rootNode)
                ? ConfigErrors.Invalid(_filePath, "the file holds no YAML mapping")
                : _reader.ShapeError("the root must be a mapping", rootNode);
        }

        var root = _reader.ReadMapping(rootNode, "the root")!;
        NoteUnknownKeys(root, string.Empty, s_rootKeys);
        var appMapping = _reader.ReadMapping(root, "app", string.Empty) ?? throw ConfigErrors.AppRequired(_filePath);
        var auth = BuildAuth(_reader.ReadMapping(root, "auth", string.Empty));
        var orchestratorMapping = _reader.ReadMapping(root, "orchestrator", string.Empty);
        var orchestrator = orchestratorMapping is null
            ? null
            : new OrchestratorConfig { GatewayBaseUrl = _reader.ReadString(orchestratorMapping, "gatewayBaseUrl", "orchestrator") };
        NoteUnknownKeys(orchestratorMapping, "orchestrator", s_orchestratorKeys);

        var app = BuildApp(appMapping, auth, orchestrator);
        var (controlPlane, signerNode) = BuildControlPlane(root);
        var audit = BuildAudit(_reader.ReadMapping(root, "audit", string.Empty));
        var approvals = BuildApprovals(_reader.ReadMapping(root, "approvals", string.Empty), controlPlane.Sec0Dir);
        var features = new ControlPlaneFeatureReader(_reader, Env);
        var controlPlanePolicy = YamlConfigReader.Get(root, "policy") is YamlMappingNode ? features.ReadPolicy(_reader.ReadMapping(root, "policy", string.Empty)!) : null;
        var policyText = controlPlanePolicy is null ? _reader.ReadString(root, "policy", string.Empty) : null;
        var policyPath = policyText is null ? null : ConfigPathResolver.Resolve(policyText, _directory, _environment);
        controlPlane = features.ReadFeatures(_reader.ReadMapping(root, "controlPlane", string.Empty), controlPlane, auth);

        if (_options.CheckSigningKeyExists && !File.Exists(controlPlane.LocalSignerPath))
        {
            throw ConfigErrors.SigningKeyNotFound(_filePath, controlPlane.LocalSignerPath, YamlConfigReader.Line(signerNode), YamlConfigReader.Column(signerNode));
        }

        return new Sec0Config
        {
            App = app,
            Auth = auth,
            ControlPlane = controlPlane,
            Orchestrator = orchestrator,
            Audit = audit,
            Approvals = approvals,
            PolicyPath = policyPath,
            ControlPlanePolicy = controlPlanePolicy,
            Otel = BuildOtel(_reader.ReadMapping(root, "otel", string.Empty)),
            UnknownKeys = _unknownKeys.AsReadOnly(),
            FilePath = _filePath,
            Directory = _directory,
        };
    }

    private OtelConfig BuildOtel(ConfigMapping? otel)
    {
        NoteUnknownKeys(otel, "otel", s_otelKeys);
        var endpointText = _reader.ReadString(otel, "endpoint", "otel") ?? Env("OTEL_EXPORTER_OTLP_ENDPOINT");
        Uri? endpoint = null;
        if (endpointText is not null
            && (!Uri.TryCreate(endpointText, UriKind.Absolute, out endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps)))
        {
            throw ConfigErrors.Invalid(_filePath, $"otel.endpoint \"{endpointText}\" must be an absolute http or https URL");
        }

        return new OtelConfig
        {
            Endpoint = endpoint,
            ServiceName = _reader.ReadString(otel, "serviceName", "otel"),
            Environment = _reader.ReadString(otel, "environment", "otel"),
            Export = _reader.ReadBool(otel, "export", "otel") ?? true,
        };
    }

    private AuthConfig BuildAuth(ConfigMapping? auth)
    {
        NoteUnknownKeys(auth, "auth", s_authKeys);
        return new AuthConfig
        {
            SvcToken = _reader.ReadString(auth, "svcToken", "auth") ?? Env("SVC_TOKEN"),
            Sec0ApiKey = _reader.ReadString(auth, "sec0ApiKey", "auth") ?? Env("SEC0_API_KEY"),
            Sec0BearerToken = Env("SEC0_BEARER_TOKEN"),
        };
    }

    private AppConfig BuildApp(ConfigMapping app, AuthConfig auth, OrchestratorConfig? orchestrator)
    {
        var tenant = _reader.ReadString(app, "tenant", "app")
            ?? throw ConfigErrors.TenantRequired(_filePath, YamlConfigReader.Line(app.Node), YamlConfigReader.Column(app.Node));

        var environmentValue = _reader.ReadString(app, "environment", "app");
        if (environmentValue is null)
        {
            throw ConfigErrors.EnvironmentMissing(_filePath, YamlConfigReader.Line(app.Node), YamlConfigReader.Column(app.Node));
        }

        var environment = environmentValue.ToLowerInvariant();
        if (environment is not ("dev" or "staging" or "prod"))
        {
            var node = YamlConfigReader.Get(app, "environment")!;
            throw ConfigErrors.EnvironmentInvalid(_filePath, environmentValue, YamlConfigReader.Line(node), YamlConfigReader.Column(node));
        }

        NoteUnknownKeys(app, "app", s_appKeys);
        var clientMapping = _reader.ReadMapping(app, "client", "app");
        NoteUnknownKeys(clientMapping, "app.client", s_clientKeys);
        var client = new ClientConfig
        {
            Name = _reader.ReadString(clientMapping, "name", "app.client"),
            Version = _reader.ReadString(clientMapping, "version", "app.client"),
        };

        var hops = new Dictionary<string, HopConfig>(StringComparer.Ordinal);
        var hopsMapping = _reader.ReadMapping(app, "hops", "app");
        if (hopsMapping is not null)
        {
            if (hopsMapping.NonScalarKeys.Count > 0)
            {
                throw _reader.ShapeError("app.hops keys must be hop names (strings)", hopsMapping.NonScalarKeys[0]);
            }

            foreach (var entry in hopsMapping.Entries)
            {
                hops[entry.Key] = BuildHop(entry, tenant, client, auth, orchestrator);
            }
        }

        return new AppConfig
        {
            Tenant = tenant,
            Environment = environment,
            Client = client,
            Hops = hops.ToFrozenDictionary(StringComparer.Ordinal),
        };
    }

    private HopConfig BuildHop(ConfigEntry entry, string tenant, ClientConfig client, AuthConfig auth, OrchestratorConfig? orchestrator)
    {
        var key = entry.Key;
        var line = YamlConfigReader.Line(entry.KeyNode);
        var column = YamlConfigReader.Column(entry.KeyNode);
        if (key.Trim().Length == 0)
        {
            throw _reader.ShapeError("app.hops keys must not be empty", entry.KeyNode);
        }

        var path = YamlConfigReader.Join("app.hops", key);

        // An entry with nothing under it is an entry without a type, not a shape error.
        var hop = _reader.ReadMapping(entry.Value, path);
        var typeName = _reader.ReadString(hop, HopRequirements.TypeField, path)
            ?? throw ConfigErrors.HopMissingType(_filePath, key, line, column);
        if (!HopRequirements.TryParseHopType(typeName, out var type))
        {
            throw ConfigErrors.HopUnknownType(_filePath, key, typeName, line, column);
        }

        NoteUnknownKeys(hop, path, s_hopKeys);
        string? Read(string field) => _reader.ReadString(hop, field, path);

        var fields = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["nodeId"] = Read("nodeId"),
            ["agentName"] = Read("agentName"),
            ["agentVersion"] = Read("agentVersion"),
            ["orchestratorName"] = Read("orchestratorName"),
            ["orchestratorVersion"] = Read("orchestratorVersion"),
            ["gateway"] = Read("gateway"),
            ["gatewayBaseUrl"] = Read("gatewayBaseUrl"),
            ["tenant"] = Read("tenant"),
            ["authHeader"] = Read("authHeader"),
            ["server"] = Read("server"),
            ["tool"] = Read("tool"),
            ["middleware"] = Read("middleware"),
            ["op"] = Read("op"),
            ["skill"] = Read("skill"),
        };

        if (type == HopType.Orchestrator)
        {
            fields["orchestratorName"] ??= client.Name;
            fields["orchestratorVersion"] ??= client.Version;
        }
        else if (type == HopType.Gateway)
        {
            fields["gatewayBaseUrl"] ??= orchestrator?.GatewayBaseUrl;
            fields["tenant"] ??= tenant;
            if (auth.SvcToken is not null)
            {
                fields["authHeader"] ??= "Bearer " + auth.SvcToken;
            }
        }

        foreach (var required in HopRequirements.GetRequiredFields(type))
        {
            if (fields[required] is null)
            {
                throw ConfigErrors.HopMissingField(_filePath, key, required, line, column);
            }
        }

        return new HopConfig
        {
            Key = key,
            Type = type,
            NodeId = fields["nodeId"]!,
            AgentName = fields["agentName"],
            AgentVersion = fields["agentVersion"],
            OrchestratorName = fields["orchestratorName"],
            OrchestratorVersion = fields["orchestratorVersion"],
            Gateway = fields["gateway"],
            GatewayBaseUrl = fields["gatewayBaseUrl"],
            Tenant = fields["tenant"],
            AuthHeader = fields["authHeader"],
            Server = fields["server"],
            Tool = fields["tool"],
            Middleware = fields["middleware"],
            Op = fields["op"],
            Skill = fields["skill"],
            Enforcement = BuildEnforcement(_reader.ReadMapping(hop, "enforcement", path), YamlConfigReader.Join(path, "enforcement")),
            Line = line,
            Column = column,
        };
    }

    private HopEnforcementConfig BuildEnforcement(ConfigMapping? enforcement, string path)
    {
        if (enforcement is null)
        {
            return HopEnforcementConfig.Default;
        }

        foreach (var entry in enforcement.Entries)
        {
            if (Array.IndexOf(s_enforcementKeys, entry.Key) >= 0)
            {
                continue;
            }

            if (Array.IndexOf(s_tsControlPlaneEnforcementKeys, entry.Key) >= 0)
            {
                // They choose which control-plane policy Sec0's TypeScript SDK fetches; this SDK reads the local policy file.
                _unknownKeys.Add(YamlConfigReader.Join(path, entry.Key));
                continue;
            }

            // Anything else here would change enforcement if it meant something: a typo must not pass silently.
            var suggestion = Policy.SpellingSuggestion.Closest(entry.Key, s_enforcementKeys);
            var hint = suggestion is null ? string.Empty : $"; did you mean \"{suggestion}\"?";
            throw _reader.ShapeError(
                $"{YamlConfigReader.Join(path, entry.Key)} is not an enforcement key{hint} (expected one of: mode, strategy, deny_on, escalate_on, enabled)",
                entry.KeyNode);
        }

        var mode = EnforcementMode.Enforce;
        var modeText = _reader.ReadString(enforcement, "mode", path);
        if (modeText is not null)
        {
            mode = ExactChoice(enforcement, "mode", path, modeText, "observe or enforce", "enforce") switch
            {
                "observe" => EnforcementMode.Observe,
                _ => EnforcementMode.Enforce,
            };
        }

        var strategy = HopEnforcementConfig.DefaultStrategy;
        var strategyText = _reader.ReadString(enforcement, "strategy", path);
        if (strategyText is not null)
        {
            strategy = ExactChoice(enforcement, "strategy", path, strategyText, "deny_on_match or deny_on_any", "deny_on_match");
        }

        var enabled = _reader.ReadBool(enforcement, "enabled", path) ?? true;
        if (!enabled && modeText == "enforce")
        {
            throw _reader.ShapeError(
                $"{path} sets both enabled: false and mode: enforce; enabled: false turns enforcement off for this hop (as in Sec0's TypeScript SDK), so remove one of them",
                YamlConfigReader.Get(enforcement, "enabled"));
        }

        return new HopEnforcementConfig
        {
            Enabled = enabled,
            Mode = mode,
            Strategy = strategy,
            DenyOn = ReadReasonList(enforcement, "deny_on", "denyOn", path),
            EscalateOn = ReadReasonList(enforcement, "escalate_on", "escalateOn", path),
        };
    }

    /// <summary>
    /// Reads a value that must be one of two lowercase words. The same word in another letter case is refused:
    /// Sec0's TypeScript SDK compares exactly (<c>Observe</c> means enforce there) while this SDK once ignored case,
    /// so the two SDKs would read it in opposite ways.
    /// </summary>
    private string ExactChoice(ConfigMapping enforcement, string key, string path, string text, string choices, string typeScriptDefault)
    {
        var node = YamlConfigReader.Get(enforcement, key);
        var lower = text.ToLowerInvariant();
        var allowed = choices.Split(" or ");
        if (Array.IndexOf(allowed, text) >= 0)
        {
            return text;
        }

        if (Array.IndexOf(allowed, lower) >= 0)
        {
            throw _reader.ShapeError(
                $"{path}.{key} \"{text}\" must be written in lowercase: {choices}. Sec0's TypeScript SDK compares it exactly and reads \"{text}\" as {typeScriptDefault}; write the one you mean (docs/migrating-from-typescript.md)",
                node);
        }

        throw _reader.ShapeError($"{path}.{key} \"{text}\" must be {choices}", node);
    }

    /// <summary>
    /// Reads <paramref name="key"/> or its camelCase spelling from Sec0's TypeScript SDK. Both with different
    /// values is refused (the SDKs would pick different ones); an empty list is refused because it means "use the
    /// policy's list" there and would mean "nothing" here.
    /// </summary>
    private IReadOnlyList<string>? ReadReasonList(ConfigMapping enforcement, string key, string camelKey, string path)
    {
        var snake = _reader.ReadStringList(enforcement, key, path);
        var camel = _reader.ReadStringList(enforcement, camelKey, path);
        if (snake is not null && camel is not null
            && !snake.Select(Normalize).ToHashSet(StringComparer.Ordinal).SetEquals(camel.Select(Normalize)))
        {
            throw _reader.ShapeError(
                $"{path} gives both {key} and {camelKey} with different reasons; keep one of them (Sec0's TypeScript SDK would use {camelKey}, which is ambiguous)",
                YamlConfigReader.Get(enforcement, camelKey));
        }

        var list = camel ?? snake;
        if (list is { Count: 0 })
        {
            var written = camel is not null ? camelKey : key;
            throw _reader.ShapeError(
                $"{path}.{written} is empty. Sec0's TypeScript SDK reads an empty list as \"use the policy's {key}\", so this SDK does not guess: remove the key to use the policy's {key}, or list the reasons (docs/migrating-from-typescript.md)",
                YamlConfigReader.Get(enforcement, written));
        }

        return list;

        static string Normalize(string reason) => reason.Trim().ToLowerInvariant();
    }

    // approvals: { dir, default_group, groups: { <approval_set_id>: [ { user, roles: [..] } ] } }
    private ApprovalsConfig BuildApprovals(ConfigMapping? approvals, string sec0Dir)
    {
        const string path = "approvals";
        var dirText = _reader.ReadString(approvals, "dir", path);
        var directory = dirText is null ? Path.Combine(sec0Dir, "approvals") : ResolvePath(approvals!, "dir", dirText, path);
        var groupsMapping = _reader.ReadMapping(approvals, "groups", path);
        var groups = new Dictionary<string, IReadOnlyList<Reviewer>>(StringComparer.Ordinal);
        foreach (var entry in groupsMapping?.Entries ?? [])
        {
            var groupPath = YamlConfigReader.Join(YamlConfigReader.Join(path, "groups"), entry.Key);
            if (entry.Value is not YamlSequenceNode sequence || sequence.Children.Count == 0)
            {
                throw _reader.Error(groupPath, "must be a list of reviewers, such as - { user: alice, roles: [finance] }", entry.Value);
            }

            if (sequence.Children.Count > ApprovalsConfig.MaxReviewersPerGroup)
            {
                throw _reader.Error(groupPath, $"lists {sequence.Children.Count} reviewers; a group holds at most {ApprovalsConfig.MaxReviewersPerGroup}", entry.Value);
            }

            var reviewers = new List<Reviewer>(sequence.Children.Count);
            for (var i = 0; i < sequence.Children.Count; i++)
            {
                var itemPath = $"{groupPath}[{i}]";
                var item = _reader.ReadMapping(sequence.Children[i], itemPath)
                    ?? throw _reader.Error(itemPath, "must be a reviewer: { user: alice, roles: [finance] }", sequence.Children[i]);
                foreach (var key in item.Entries)
                {
                    if (key.Key is not ("user" or "roles"))
                    {
                        throw _reader.Error(YamlConfigReader.Join(itemPath, key.Key), "is not a reviewer key: a reviewer has user and roles", key.Value);
                    }
                }

                var user = _reader.ReadString(item, "user", itemPath)
                    ?? throw _reader.Error(YamlConfigReader.Join(itemPath, "user"), "is required: the name reviewers give with --as", item.Node);
                var roles = _reader.ReadStringList(item, "roles", itemPath);
                if (roles is null || roles.Count == 0)
                {
                    throw _reader.Error(YamlConfigReader.Join(itemPath, "roles"), "is required: the roles this reviewer may vote in, such as [finance]", item.Node);
                }

                if (reviewers.Exists(r => string.Equals(r.User, user, StringComparison.Ordinal)))
                {
                    throw _reader.Error(YamlConfigReader.Join(itemPath, "user"), $"\"{user}\" is listed twice in this group: give each person one entry with all their roles", YamlConfigReader.Get(item, "user"));
                }

                reviewers.Add(new Reviewer(user, [.. roles.Distinct(StringComparer.Ordinal)]));
            }

            groups[entry.Key] = reviewers.AsReadOnly();
        }

        var defaultGroup = _reader.ReadString(approvals, "default_group", path);
        if (defaultGroup is not null && !groups.ContainsKey(defaultGroup))
        {
            throw _reader.Error(YamlConfigReader.Join(path, "default_group"), $"names the group \"{defaultGroup}\", which is not under approvals.groups", YamlConfigReader.Get(approvals, "default_group"));
        }

        foreach (var key in approvals?.Entries ?? [])
        {
            if (key.Key is not ("dir" or "groups" or "default_group" or "retention_days"))
            {
                throw _reader.Error(YamlConfigReader.Join(path, key.Key), "is not an approvals key: use dir, groups, default_group or retention_days (docs/approvals.md)", key.Value);
            }
        }

        var retentionDays = _reader.ReadInt(approvals, "retention_days", path, 1) ?? 30;
        return new ApprovalsConfig
        {
            Directory = directory,
            Groups = groups.Count == 0 ? ApproverGroups.None : new ApproverGroups(groups, defaultGroup),
            Retention = TimeSpan.FromDays(retentionDays),
        };
    }

    private (ControlPlaneConfig ControlPlane, YamlNode SignerNode) BuildControlPlane(ConfigMapping root)
    {
        const string path = "controlPlane";
        var controlPlane = _reader.ReadMapping(root, path, string.Empty);
        NoteUnknownKeys(controlPlane, path, s_controlPlaneKeys);
        var anchor = (YamlNode?)controlPlane?.Node ?? root.Node;
        var sec0DirText = _reader.ReadString(controlPlane, "sec0Dir", path)
            ?? throw ConfigErrors.Sec0DirRequired(_filePath, YamlConfigReader.Line(anchor), YamlConfigReader.Column(anchor));
        var signerText = _reader.ReadString(controlPlane, "localSignerPath", path)
            ?? throw ConfigErrors.LocalSignerPathRequired(_filePath, YamlConfigReader.Line(anchor), YamlConfigReader.Column(anchor));

        var sec0Dir = ResolvePath(controlPlane!, "sec0Dir", sec0DirText);
        var signerPath = ResolvePath(controlPlane!, "localSignerPath", signerText);
        var appenderText = _reader.ReadString(controlPlane, "appenderDir", path);
        var appenderDir = appenderText is null ? Path.Combine(sec0Dir, "logs") : ResolvePath(controlPlane!, "appenderDir", appenderText);

        var result = new ControlPlaneConfig
        {
            // Sec0's TypeScript SDK order: the file wins, the variables are fallbacks (SEC0_ first).
            ApiBaseUrl = (_reader.ReadString(controlPlane, "apiBaseUrl", path) ?? Env("SEC0_CONTROL_PLANE_URL") ?? Env("CONTROL_PLANE_URL") ?? Env("API_BASE_URL"))?.TrimEnd('/') is { Length: > 0 } url ? url : null,
            Sec0Dir = sec0Dir,
            LocalSignerPath = signerPath,
            AppenderDir = appenderDir,
            RetentionDays = _reader.ReadInt(controlPlane, "retentionDays", path, 1) ?? ControlPlaneConfig.DefaultRetentionDays,
        };
        return (result, YamlConfigReader.Get(controlPlane, "localSignerPath")!);
    }

    private string ResolvePath(ConfigMapping controlPlane, string key, string value, string parentPath = "controlPlane")
    {
        try
        {
            return ConfigPathResolver.Resolve(value, _directory, _environment);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException or SecurityException)
        {
            var node = YamlConfigReader.Get(controlPlane, key);
            throw node is null
                ? ConfigErrors.Invalid(_filePath, $"{parentPath}.{key} is not a valid path", inner: ex)
                : ConfigErrors.Invalid(_filePath, $"{parentPath}.{key} is not a valid path", YamlConfigReader.Line(node), YamlConfigReader.Column(node), ex);
        }
    }

    private AuditConfig BuildAudit(ConfigMapping? audit)
    {
        if (audit is null)
        {
            return AuditConfig.Default;
        }

        const string path = "audit";
        NoteUnknownKeys(audit, path, s_auditKeys);
        var flush = AuditConfig.Default.Flush;
        var flushText = _reader.ReadString(audit, "flush", path);
        if (flushText is not null)
        {
            flush = flushText.ToLowerInvariant() switch
            {
                "none" => AuditFlushMode.None,
                "batch" => AuditFlushMode.Batch,
                "always" => AuditFlushMode.Always,
                _ => throw _reader.ShapeError($"audit.flush \"{flushText}\" must be none, batch or always", YamlConfigReader.Get(audit, "flush")),
            };
        }

        var signing = AuditConfig.Default.Signing;
        var signingText = _reader.ReadString(audit, "signing", path);
        if (signingText is not null)
        {
            if (!AuditSigningModes.TryParse(signingText.ToLowerInvariant(), out signing))
            {
                throw _reader.ShapeError($"audit.signing \"{signingText}\" must be per_envelope or checkpoint", YamlConfigReader.Get(audit, "signing"));
            }
        }

        return new AuditConfig
        {
            Flush = flush,
            Signing = signing,
            CheckpointEvery = _reader.ReadInt(audit, "checkpointEvery", path, 1) ?? AuditConfig.Default.CheckpointEvery,
            CheckpointIntervalMs = _reader.ReadInt(audit, "checkpointIntervalMs", path, 1) ?? AuditConfig.Default.CheckpointIntervalMs,
            ChannelCapacity = _reader.ReadInt(audit, "channelCapacity", path, 1) ?? AuditConfig.Default.ChannelCapacity,
        };
    }

    /// <summary>Remembers the keys of <paramref name="mapping"/> this SDK does not read, for the start-up warning.</summary>
    private void NoteUnknownKeys(ConfigMapping? mapping, string path, string[] known)
    {
        foreach (var entry in mapping?.Entries ?? [])
        {
            if (Array.IndexOf(known, entry.Key) < 0)
            {
                _unknownKeys.Add(YamlConfigReader.Join(path, entry.Key));
            }
        }
    }

    /// <summary>An environment variable, with an empty value treated as unset.</summary>
    private string? Env(string name)
    {
        var value = _environment(name);
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }
}

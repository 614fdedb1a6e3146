using System.Globalization;
using System.Text.RegularExpressions;
using Sec0.Config;
using Sec0.Config.Yaml;
using YamlDotNet.RepresentationModel;

namespace Sec0.Policy;

/// <summary>
/// Builds a <see cref="PolicyDocument"/> from the root node of a parsed policy file. Unlike the config
/// loader it does not stop at the first problem: its reader adds a bad value to the builder's problem list
/// with its YAML path and node and reads it as absent, the builder's own checks add to the same list, and
/// the build goes on so that one run reports every problem.
/// </summary>
internal sealed partial class PolicyModelBuilder
{
    /// <summary>Top-level blocks of Sec0's TypeScript policy schema that this SDK accepts but does not enforce.</summary>
    internal static readonly string[] IgnoredTopLevelKeys =
        ["security_level", "observability", "privacy", "sec0_export", "skills", "agent_guard", "compliance", "llm_judge"];

    private static readonly string[] s_rootKeys = ["tenant", "default_retention", "signing", "tools", "enforcement", "security", "sast", "dast", "side_effects"];
    private static readonly string[] s_signingKeys = ["enabled", "key_ref"];
    private static readonly string[] s_toolsKeys = ["allowlist", "deny_if_unpinned_version"];
    private static readonly string[] s_enforcementKeys = ["mode", "strategy", "deny_on", "escalate_on", "circuit_breakers"];
    private static readonly string[] s_enforcementIgnoredKeys = ["agent_guard"];
    private static readonly string[] s_breakerKeys = ["error_rate_pct", "p95_latency_ms", "min_samples", "window_size", "cooldown_ms"];
    private static readonly string[] s_securityKeys = ["allow_versions", "egress_allowlist", "fs_allowlist", "limits", "side_effects"];
    private static readonly string[] s_limitsKeys = ["max_payload_kb", "max_duration_ms"];
    private static readonly string[] s_sideEffectsKeys =
        ["require_idempotency_key", "approve_high_risk", "human_escalation", "humanEscalation", "escalation_ttl_seconds", "ttl_seconds", "timeout_action"];
    private static readonly string[] s_sideEffectsIgnoredKeys = ["escalationTtlSeconds", "escalation_on_timeout", "escalationOnTimeout"];
    private static readonly string[] s_rootSideEffectsKeys = ["require_idempotency_key", "max_retries"];
    private static readonly string[] s_humanEscalationKeys =
        ["approval_strategy", "timeout_action", "min_approvals", "min_rejections", "required_roles", "veto_roles", "approval_set_id", "escalation_ttl_seconds"];
    private static readonly string[] s_sastKeys =
        ["enabled", "block_on_change", "block_on_severity", "cache_ttl_ms", "scan_all_on_server_change", "fail_on_error", "ruleset"];
    private static readonly string[] s_dastKeys =
        ["enabled", "block_on_change", "block_on_severity", "block_on_count", "rule_ttl_ms", "sandbox_url", "mode", "scope", "templates", "tags", "exclude_tags", "severity", "fail_on_error"];
    private static readonly string[] s_severities = ["low", "medium", "high", "critical"];
    private static readonly string[] s_timeoutActions = ["auto_approve", "auto_reject"];

    private readonly string _sourceName;
    private readonly string _baseDirectory;
    private readonly YamlConfigReader _reader;
    private readonly List<YamlProblem> _problems = [];
    private readonly List<string> _ignoredKeys = [];

    public PolicyModelBuilder(string sourceName, string baseDirectory)
    {
        _sourceName = sourceName;
        _baseDirectory = baseDirectory;
        _reader = new YamlConfigReader(sourceName, _problems);
    }

    /// <summary>The problems found so far, in the order found.</summary>
    public IReadOnlyList<PolicyProblem> Problems => _problems.ConvertAll(ToPolicyProblem);

    /// <summary>The message for a name that is not a reason: <c>"foo" is not a known reason; expected one of: ...</c>.</summary>
    public static string UnknownReasonMessage(string name)
    {
        var suggestion = SpellingSuggestion.Closest(name, PolicyReasons.All);
        var hint = suggestion is null ? string.Empty : $" (did you mean \"{suggestion}\"?)";
        return $"\"{name}\" is not a known reason{hint}; expected one of: {string.Join(", ", PolicyReasons.All)}";
    }

    /// <summary>Builds the document, or returns null when there were problems (see <see cref="Problems"/>).</summary>
    public PolicyDocument? Build(YamlNode? rootNode)
    {
        if (YamlConfigReader.IsNull(rootNode))
        {
            Add(string.Empty, null, "the file holds no YAML mapping; a policy needs at least tenant");
            return null;
        }

        if (rootNode is not YamlMappingNode)
        {
            Add(string.Empty, rootNode, "the root must be a mapping");
            return null;
        }

        var root = _reader.ReadMapping(rootNode, "(root)");
        if (root is null)
        {
            return null;
        }

        CheckKeys(root, string.Empty, s_rootKeys, IgnoredTopLevelKeys);

        var tenant = _reader.ReadString(root, "tenant", string.Empty);
        if (tenant is null && !HasProblemAt("tenant"))
        {
            Add("tenant", root.Node, "is required");
        }

        var (retention, retentionDays, retentionSet) = ReadRetention(root);
        var signing = ReadSigning(_reader.ReadMapping(root, "signing", string.Empty));
        var tools = ReadTools(_reader.ReadMapping(root, "tools", string.Empty));
        var enforcement = ReadEnforcement(_reader.ReadMapping(root, "enforcement", string.Empty));
        var rootSideEffects = _reader.ReadMapping(root, "side_effects", string.Empty);
        CheckKeys(rootSideEffects, "side_effects", s_rootSideEffectsKeys);
        var rootRequiresIdempotency = _reader.ReadBool(rootSideEffects, "require_idempotency_key", "side_effects") ?? false;
        _ = _reader.ReadNumber(rootSideEffects, "max_retries", "side_effects", 0, 10);
        var security = ReadSecurity(_reader.ReadMapping(root, "security", string.Empty), rootRequiresIdempotency);
        var sast = ReadSast(_reader.ReadMapping(root, "sast", string.Empty));
        var dast = ReadDast(_reader.ReadMapping(root, "dast", string.Empty));

        if (_problems.Count > 0)
        {
            return null;
        }

        return new PolicyDocument
        {
            Tenant = tenant!,
            DefaultRetention = retention,
            DefaultRetentionDays = retentionDays,
            AuditRetention = retentionSet ? retention : null,
            Signing = signing,
            Tools = tools,
            Enforcement = enforcement,
            Security = security,
            Sast = sast,
            Dast = dast,
            SourceName = _sourceName,
            IgnoredKeys = _ignoredKeys.AsReadOnly(),
        };
    }

    private (string Text, int Days, bool Set) ReadRetention(ConfigMapping root)
    {
        var text = _reader.ReadString(root, "default_retention", string.Empty);
        if (text is null)
        {
            return (PolicyDocument.DefaultRetentionText, 30, false);
        }

        var match = RetentionPattern().Match(text);
        if (match.Success && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days is >= 1 and <= 36500)
        {
            return (text, days, true);
        }

        Add("default_retention", YamlConfigReader.Get(root, "default_retention"), $"\"{text}\" is not a retention; expected a number of days such as 30d, 90d or 180d");
        return (PolicyDocument.DefaultRetentionText, 30, false);
    }

    private SigningPolicy ReadSigning(ConfigMapping? signing)
    {
        if (signing is null)
        {
            return SigningPolicy.Default;
        }

        CheckKeys(signing, "signing", s_signingKeys);
        var enabled = _reader.ReadBool(signing, "enabled", "signing") ?? true;
        var keyRef = _reader.ReadString(signing, "key_ref", "signing");
        if (keyRef is not null && !keyRef.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            Add("signing.key_ref", YamlConfigReader.Get(signing, "key_ref"), $"\"{keyRef}\" is not supported; only file:// key refs are supported");
        }

        return new SigningPolicy { Enabled = enabled, KeyRef = keyRef };
    }

    private ToolsPolicy ReadTools(ConfigMapping? tools)
    {
        if (tools is null)
        {
            return ToolsPolicy.Default;
        }

        CheckKeys(tools, "tools", s_toolsKeys);
        ToolAllowlist? allowlist = null;
        var items = _reader.ReadStringItems(tools, "allowlist", "tools");
        if (items is not null)
        {
            var patterns = new List<ToolRefPattern>(items.Count);
            for (var index = 0; index < items.Count; index++)
            {
                if (ToolRefPattern.TryParse(items[index].Value, out var pattern, out var error))
                {
                    patterns.Add(pattern);
                }
                else
                {
                    Add($"tools.allowlist[{index}]", items[index].Node, error);
                }
            }

            allowlist = new ToolAllowlist(patterns);
        }

        return new ToolsPolicy
        {
            Allowlist = allowlist,
            DenyIfUnpinnedVersion = _reader.ReadBool(tools, "deny_if_unpinned_version", "tools") ?? false,
        };
    }

    private EnforcementPolicy ReadEnforcement(ConfigMapping? enforcement)
    {
        if (enforcement is null)
        {
            return EnforcementPolicy.Default;
        }

        const string path = "enforcement";
        CheckKeys(enforcement, path, s_enforcementKeys, s_enforcementIgnoredKeys);
        var mode = ReadChoice(enforcement, "mode", path, ["enforce", "observe"]) switch
        {
            1 => EnforcementMode.Observe,
            _ => EnforcementMode.Enforce,
        };
        var strategy = ReadChoice(enforcement, "strategy", path, ["deny_on_match", "deny_on_any"]) switch
        {
            1 => EnforcementStrategy.DenyOnAny,
            _ => EnforcementStrategy.DenyOnMatch,
        };

        var denyOn = ReadReasons(enforcement, "deny_on", path) ?? [];
        var escalateOn = ReadReasons(enforcement, "escalate_on", path);
        NotEscalable(enforcement, escalateOn, PolicyReason.CircuitOpen, "an open circuit breaker always denies");
        NotEscalable(enforcement, escalateOn, PolicyReason.MalformedInput, "input that cannot be hashed always denies");

        return new EnforcementPolicy
        {
            Mode = mode,
            Strategy = strategy,
            DenyOn = denyOn,
            EscalateOn = escalateOn,
            CircuitBreakers = ReadCircuitBreakers(_reader.ReadMapping(enforcement, "circuit_breakers", path)),
        };
    }

    /// <summary>Reports <paramref name="reason"/> in escalate_on: it always denies, so an approval could never clear it.</summary>
    private void NotEscalable(ConfigMapping enforcement, IReadOnlyList<PolicyReason>? escalateOn, PolicyReason reason, string why)
    {
        if (escalateOn is null || !escalateOn.Contains(reason))
        {
            return;
        }

        var name = PolicyReasons.GetName(reason);
        var items = _reader.ReadStringItems(enforcement, "escalate_on", "enforcement");
        var index = items is null ? -1 : items.ToList().FindIndex(item => item.Value == name);
        Add(
            index < 0 ? "enforcement.escalate_on" : $"enforcement.escalate_on[{index}]",
            index < 0 ? YamlConfigReader.Get(enforcement, "escalate_on") : items![index].Node,
            $"\"{name}\" cannot be escalated: {why}");
    }

    private CircuitBreakerOptions? ReadCircuitBreakers(ConfigMapping? breakers)
    {
        if (breakers is null)
        {
            return null;
        }

        const string path = "enforcement.circuit_breakers";
        if (breakers.Entries.Count == 0 && breakers.NonScalarKeys.Count == 0)
        {
            // circuit_breakers: {} means none, as in Sec0's control-plane fallback policy.
            return null;
        }

        CheckKeys(breakers, path, s_breakerKeys);
        var errorRate = _reader.ReadNumber(breakers, "error_rate_pct", path, 0, 100);
        if (errorRate == 0)
        {
            Add(path + ".error_rate_pct", YamlConfigReader.Get(breakers, "error_rate_pct"), "must be greater than 0 (0 would open every breaker). This differs from Sec0's TypeScript SDK on purpose, whose schema accepts 0; see docs/migrating-from-typescript.md");
        }

        var p95 = _reader.ReadNumber(breakers, "p95_latency_ms", path, 0, double.PositiveInfinity);
        if (p95 == 0)
        {
            Add(path + ".p95_latency_ms", YamlConfigReader.Get(breakers, "p95_latency_ms"), "must be greater than 0 (0 would open every breaker)");
        }

        var minSamples = _reader.ReadInt(breakers, "min_samples", path, 1) ?? CircuitBreakerOptions.DefaultMinSamples;
        var windowSize = _reader.ReadInt(breakers, "window_size", path, 1) ?? Math.Max(CircuitBreakerOptions.DefaultWindowSize, minSamples);
        var cooldown = _reader.ReadInt(breakers, "cooldown_ms", path, 0) ?? CircuitBreakerOptions.DefaultCooldownMs;
        if (YamlConfigReader.IsNull(YamlConfigReader.Get(breakers, "error_rate_pct")) && YamlConfigReader.IsNull(YamlConfigReader.Get(breakers, "p95_latency_ms")))
        {
            Add(path, breakers.Node, "needs error_rate_pct or p95_latency_ms (or both)");
        }

        if (windowSize < minSamples)
        {
            Add(path + ".window_size", YamlConfigReader.Get(breakers, "window_size"), $"must be at least min_samples ({minSamples.ToString(CultureInfo.InvariantCulture)})");
        }

        return new CircuitBreakerOptions
        {
            ErrorRatePct = errorRate,
            P95LatencyMs = p95,
            MinSamples = minSamples,
            WindowSize = windowSize,
            CooldownMs = cooldown,
        };
    }

    private SecurityPolicy ReadSecurity(ConfigMapping? security, bool rootRequiresIdempotency)
    {
        const string path = "security";
        CheckKeys(security, path, s_securityKeys);
        var (allowVersions, allowVersionsByServer) = ReadAllowVersions(_reader.ReadMapping(security, "allow_versions", path));

        EgressAllowlist? egress = null;
        var egressItems = _reader.ReadStringItems(security, "egress_allowlist", path);
        if (egressItems is not null)
        {
            var rules = new List<EgressRule>(egressItems.Count);
            for (var index = 0; index < egressItems.Count; index++)
            {
                if (EgressRule.TryParse(egressItems[index].Value, out var rule, out var error))
                {
                    rules.Add(rule);
                }
                else
                {
                    Add($"security.egress_allowlist[{index}]", egressItems[index].Node, error);
                }
            }

            egress = new EgressAllowlist(rules);
        }

        FsAllowlist? fs = null;
        var fsItems = _reader.ReadStringItems(security, "fs_allowlist", path);
        if (fsItems is not null)
        {
            var roots = new List<string>(fsItems.Count);
            for (var index = 0; index < fsItems.Count; index++)
            {
                if (FsAllowlist.TryNormalizeEntry(fsItems[index].Value, _baseDirectory, out var root, out var error))
                {
                    roots.Add(root);
                }
                else
                {
                    Add($"security.fs_allowlist[{index}]", fsItems[index].Node, error);
                }
            }

            fs = FsAllowlist.FromRoots(fsItems.Select(item => item.Value).ToArray(), roots);
        }

        var limitsMapping = _reader.ReadMapping(security, "limits", path);
        CheckKeys(limitsMapping, "security.limits", s_limitsKeys);
        var limits = limitsMapping is null
            ? PayloadLimits.None
            : new PayloadLimits
            {
                MaxPayloadKb = _reader.ReadNumber(limitsMapping, "max_payload_kb", "security.limits", 0, double.PositiveInfinity),
                MaxDurationMs = _reader.ReadNumber(limitsMapping, "max_duration_ms", "security.limits", 0, double.PositiveInfinity),
            };

        var sideEffects = ReadSideEffects(_reader.ReadMapping(security, "side_effects", path), rootRequiresIdempotency);
        return new SecurityPolicy
        {
            AllowVersions = allowVersions,
            AllowVersionsByServer = allowVersionsByServer,
            EgressAllowlist = egress,
            FsAllowlist = fs,
            Limits = limits,
            SideEffects = sideEffects,
        };
    }

    private (Dictionary<ToolRefPattern, IReadOnlyList<string>> ByTool, Dictionary<string, IReadOnlyList<string>> ByServer) ReadAllowVersions(ConfigMapping? mapping)
    {
        var result = new Dictionary<ToolRefPattern, IReadOnlyList<string>>();
        var byServer = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (mapping is null)
        {
            return (result, byServer);
        }

        const string path = "security.allow_versions";
        foreach (var keyNode in mapping.NonScalarKeys)
        {
            Add(path, keyNode, "keys must be tool refs (strings) such as mcp://server/tool");
        }

        foreach (var entry in mapping.Entries)
        {
            var entryPath = YamlConfigReader.Join(path, entry.Key);
            if (IsServerName(entry.Key))
            {
                // Sec0's TypeScript gateway keys allow_versions by server name: the versions every tool of that server may be called at.
                var serverVersions = _reader.ReadStringList(mapping, entry.Key, path);
                if (serverVersions is null && !HasProblemAt(entryPath))
                {
                    Add(entryPath, entry.Value, "must be a list of versions");
                }
                else if (serverVersions is not null)
                {
                    byServer[entry.Key.Trim()] = serverVersions;
                }

                continue;
            }

            if (!ToolRefPattern.TryParse(entry.Key, out var pattern, out var error))
            {
                Add(entryPath, entry.KeyNode, error);
                continue;
            }

            if (pattern.HasVersion)
            {
                Add(entryPath, entry.KeyNode, $"\"{entry.Key}\" names a version; a key names the tool (mcp://server/tool) and its value lists the versions");
                continue;
            }

            var versions = _reader.ReadStringList(mapping, entry.Key, path);
            if (versions is null && !HasProblemAt(entryPath))
            {
                Add(entryPath, entry.Value, "must be a list of versions");
                continue;
            }

            if (versions is not null && !result.TryAdd(pattern, versions))
            {
                Add(entryPath, entry.KeyNode, $"\"{entry.Key}\" is listed twice");
            }
        }

        return (result, byServer);
    }

    /// <summary>A bare server name (<c>demo-server</c>): no <c>mcp://</c>, no '/', no '@' and no wildcard.</summary>
    private static bool IsServerName(string key) =>
        key.Trim().Length > 0 && key.IndexOfAny(['/', '@', '*', ':']) < 0 && !key.Any(char.IsWhiteSpace);

    private SideEffectsPolicy ReadSideEffects(ConfigMapping? sideEffects, bool rootRequiresIdempotency)
    {
        const string path = "security.side_effects";
        CheckKeys(sideEffects, path, s_sideEffectsKeys, s_sideEffectsIgnoredKeys);
        var escalationKey = YamlConfigReader.Get(sideEffects, "human_escalation") is not null ? "human_escalation" : "humanEscalation";
        var escalation = ReadHumanEscalation(_reader.ReadMapping(sideEffects, escalationKey, path), YamlConfigReader.Join(path, escalationKey));

        // Sec0's TS SDK reads the TTL and the timeout action beside human_escalation; the block's own keys win.
        var ttlKey = YamlConfigReader.Get(sideEffects, "escalation_ttl_seconds") is not null ? "escalation_ttl_seconds" : "ttl_seconds";
        var ttl = _reader.ReadInt(sideEffects, ttlKey, path, 1);
        var timeout = sideEffects is null ? -1 : ReadChoice(sideEffects, "timeout_action", path, s_timeoutActions);
        if (ttl is not null || timeout >= 0)
        {
            escalation ??= new HumanEscalationPolicy();
            escalation = escalation with
            {
                EscalationTtlSeconds = escalation.EscalationTtlSeconds ?? ttl,
                TimeoutAction = escalation.TimeoutAction ?? (timeout < 0 ? null : s_timeoutActions[timeout]),
            };
        }

        return new SideEffectsPolicy
        {
            RequireIdempotencyKey = (_reader.ReadBool(sideEffects, "require_idempotency_key", path) ?? false) || rootRequiresIdempotency,
            ApproveHighRisk = _reader.ReadBool(sideEffects, "approve_high_risk", path) ?? false,
            HumanEscalation = escalation,
        };
    }

    private HumanEscalationPolicy? ReadHumanEscalation(ConfigMapping? mapping, string path)
    {
        if (mapping is null)
        {
            return null;
        }

        CheckKeys(mapping, path, s_humanEscalationKeys);
        string[] strategies = ["auto_allow", "single_approver", "human_quorum"];
        var strategy = ReadChoice(mapping, "approval_strategy", path, strategies);
        var timeout = ReadChoice(mapping, "timeout_action", path, s_timeoutActions);
        return new HumanEscalationPolicy
        {
            ApprovalStrategy = strategy < 0 ? null : strategies[strategy],
            TimeoutAction = timeout < 0 ? null : s_timeoutActions[timeout],
            MinApprovals = _reader.ReadInt(mapping, "min_approvals", path, 1),
            MinRejections = _reader.ReadInt(mapping, "min_rejections", path, 1),
            RequiredRoles = _reader.ReadStringList(mapping, "required_roles", path) ?? [],
            VetoRoles = _reader.ReadStringList(mapping, "veto_roles", path) ?? [],
            ApprovalSetId = _reader.ReadString(mapping, "approval_set_id", path),
            EscalationTtlSeconds = _reader.ReadInt(mapping, "escalation_ttl_seconds", path, 1),
        };
    }

    private SastPolicyOptions ReadSast(ConfigMapping? sast)
    {
        if (sast is null)
        {
            return SastPolicyOptions.Default;
        }

        const string path = "sast";
        CheckKeys(sast, path, s_sastKeys);
        var severity = ReadChoice(sast, "block_on_severity", path, s_severities);
        return new SastPolicyOptions
        {
            Enabled = _reader.ReadBool(sast, "enabled", path) ?? false,
            BlockOnChange = _reader.ReadBool(sast, "block_on_change", path) ?? false,
            BlockOnSeverity = severity < 0 ? SastPolicyOptions.Default.BlockOnSeverity : (ScanSeverity)severity,
            CacheTtlMs = ReadMilliseconds(sast, "cache_ttl_ms", path) ?? SastPolicyOptions.DefaultCacheTtlMs,
            ScanAllOnServerChange = _reader.ReadBool(sast, "scan_all_on_server_change", path) ?? false,
            FailOnError = _reader.ReadBool(sast, "fail_on_error", path) ?? true,
            Ruleset = _reader.ReadString(sast, "ruleset", path),
        };
    }

    private DastPolicyOptions ReadDast(ConfigMapping? dast)
    {
        if (dast is null)
        {
            return DastPolicyOptions.Default;
        }

        const string path = "dast";
        CheckKeys(dast, path, s_dastKeys);
        var enabled = _reader.ReadBool(dast, "enabled", path) ?? false;
        var severity = ReadChoice(dast, "block_on_severity", path, s_severities);
        Uri? sandbox = null;
        var sandboxText = _reader.ReadString(dast, "sandbox_url", path);
        if (sandboxText is not null)
        {
            if (Uri.TryCreate(sandboxText, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            {
                sandbox = uri;
            }
            else
            {
                Add("dast.sandbox_url", YamlConfigReader.Get(dast, "sandbox_url"), $"\"{sandboxText}\" is not an absolute http or https URL");
            }
        }
        else if (enabled && !HasProblemAt("dast.sandbox_url"))
        {
            Add("dast.sandbox_url", dast.Node, "is required when dast.enabled is true");
        }

        var scanSeverities = new List<ScanSeverity>();
        var severityItems = _reader.ReadStringItems(dast, "severity", path);
        for (var index = 0; severityItems is not null && index < severityItems.Count; index++)
        {
            var found = Array.IndexOf(s_severities, severityItems[index].Value.ToLowerInvariant());
            if (found < 0)
            {
                Add($"dast.severity[{index}]", severityItems[index].Node, $"\"{severityItems[index].Value}\" is not a severity; expected one of: {string.Join(", ", s_severities)}");
            }
            else
            {
                scanSeverities.Add((ScanSeverity)found);
            }
        }

        return new DastPolicyOptions
        {
            Enabled = enabled,
            BlockOnChange = _reader.ReadBool(dast, "block_on_change", path) ?? false,
            BlockOnSeverity = severity < 0 ? DastPolicyOptions.Default.BlockOnSeverity : (ScanSeverity)severity,
            BlockOnCount = _reader.ReadInt(dast, "block_on_count", path, 1),
            RuleTtlMs = ReadMilliseconds(dast, "rule_ttl_ms", path) ?? DastPolicyOptions.DefaultRuleTtlMs,
            SandboxUrl = sandbox,
            Mode = ReadChoice(dast, "mode", path, ["sync", "async"]) == 1 ? DastScanMode.Async : DastScanMode.Sync,
            Scope = ReadChoice(dast, "scope", path, ["server", "tool"]) == 1 ? DastScanScope.Tool : DastScanScope.Server,
            Templates = _reader.ReadString(dast, "templates", path),
            Tags = _reader.ReadStringList(dast, "tags", path) ?? [],
            ExcludeTags = _reader.ReadStringList(dast, "exclude_tags", path) ?? [],
            Severity = scanSeverities.AsReadOnly(),
            FailOnError = _reader.ReadBool(dast, "fail_on_error", path) ?? true,
        };
    }

    private long? ReadMilliseconds(ConfigMapping mapping, string key, string path)
    {
        var value = _reader.ReadNumber(mapping, key, path, 0, long.MaxValue / 2);
        return value is double ms ? (long)ms : null;
    }

    private IReadOnlyList<PolicyReason>? ReadReasons(ConfigMapping mapping, string key, string path)
    {
        var items = _reader.ReadStringItems(mapping, key, path);
        if (items is null)
        {
            return null;
        }

        var reasons = new List<PolicyReason>(items.Count);
        for (var index = 0; index < items.Count; index++)
        {
            if (PolicyReasons.TryParse(items[index].Value, out var reason))
            {
                reasons.Add(reason);
            }
            else
            {
                Add($"{path}.{key}[{index}]", items[index].Node, UnknownReasonMessage(items[index].Value));
            }
        }

        return reasons.AsReadOnly();
    }

    /// <summary>Reads a string that must be one of <paramref name="choices"/> (any letter case): its index, or -1 when absent or invalid.</summary>
    private int ReadChoice(ConfigMapping mapping, string key, string path, string[] choices)
    {
        var text = _reader.ReadString(mapping, key, path);
        if (text is null)
        {
            return -1;
        }

        var index = Array.IndexOf(choices, text.ToLowerInvariant());
        if (index < 0)
        {
            Add(YamlConfigReader.Join(path, key), YamlConfigReader.Get(mapping, key), $"\"{text}\" is not valid; expected one of: {string.Join(", ", choices)}");
        }

        return index;
    }

    /// <summary>Reports keys that are not in <paramref name="known"/>; <paramref name="ignored"/> keys are accepted and listed as not enforced.</summary>
    private void CheckKeys(ConfigMapping? mapping, string path, string[] known, string[]? ignored = null)
    {
        if (mapping is null)
        {
            return;
        }

        foreach (var keyNode in mapping.NonScalarKeys)
        {
            Add(path, keyNode, "keys must be strings");
        }

        foreach (var entry in mapping.Entries)
        {
            if (Array.IndexOf(known, entry.Key) >= 0)
            {
                continue;
            }

            var entryPath = YamlConfigReader.Join(path, entry.Key);
            if (ignored is not null && Array.IndexOf(ignored, entry.Key) >= 0)
            {
                _ignoredKeys.Add(entryPath);
                continue;
            }

            var suggestion = SpellingSuggestion.Closest(entry.Key, known);
            var hint = suggestion is null ? string.Empty : $"; did you mean \"{suggestion}\"?";
            Add(entryPath, entry.KeyNode, $"\"{entry.Key}\" is not a known key{hint} (expected one of: {string.Join(", ", known)})");
        }
    }

    private bool HasProblemAt(string path) => _problems.Exists(problem => problem.Path == path);

    private void Add(string path, YamlNode? node, string message) => _problems.Add(new YamlProblem(path, message, node));

    private static PolicyProblem ToPolicyProblem(YamlProblem problem) =>
        problem.Node is null
            ? new PolicyProblem(problem.Path, 0, 0, problem.Detail)
            : new PolicyProblem(problem.Path, YamlConfigReader.Line(problem.Node), YamlConfigReader.Column(problem.Node), problem.Detail);

    [GeneratedRegex(@"^\s*(\d{1,6})\s*d\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex RetentionPattern();
}

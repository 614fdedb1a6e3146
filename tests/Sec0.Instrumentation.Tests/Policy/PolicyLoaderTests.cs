using Sec0.Config;
using Sec0.Policy;

namespace Sec0.Instrumentation.Tests.Policy;

public sealed class PolicyLoaderTests
{
    [Theory]
    [InlineData("human_escalation: { escalation_ttl_seconds: 90 }", 90, null)]
    [InlineData("escalation_ttl_seconds: 120\n    timeout_action: auto_approve", 120, "auto_approve")]
    [InlineData("ttl_seconds: 30", 30, null)]
    [InlineData("ttl_seconds: 30\n    human_escalation: { escalation_ttl_seconds: 60, timeout_action: auto_reject }\n    timeout_action: auto_approve", 60, "auto_reject")]
    public void The_escalation_ttl_and_timeout_action_are_read_where_either_SDK_puts_them(string sideEffects, int ttl, string? timeoutAction)
    {
        var policy = PolicyLoader.Parse($"tenant: t\nsecurity:\n  side_effects:\n    {sideEffects}\n", "p.yaml");

        Assert.Equal(ttl, policy.Security.SideEffects.HumanEscalation!.EscalationTtlSeconds);
        Assert.Equal(timeoutAction, policy.Security.SideEffects.HumanEscalation.TimeoutAction);
        Assert.DoesNotContain(policy.IgnoredKeys, k => k.Contains("ttl", StringComparison.Ordinal) || k.Contains("timeout", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("human_escalation: { escalation_ttl_seconds: 0 }", "human_escalation.escalation_ttl_seconds (line 4): must be an integer >= 1")]
    [InlineData("timeout_action: later", "\"later\" is not valid; expected one of: auto_approve, auto_reject")]
    public void A_bad_escalation_ttl_or_timeout_action_is_an_error(string sideEffects, string expected)
    {
        var error = Assert.ThrowsAny<Exception>(() => PolicyLoader.Parse($"tenant: t\nsecurity:\n  side_effects:\n    {sideEffects}\n", "p.yaml"));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Quickstart_policy_loads_as_it_is_with_defaults_for_everything_else()
    {
        var policy = PolicyLoader.Parse(PolicySamples.Quickstart, "quickstart.yaml");

        Assert.Equal("demo", policy.Tenant);
        Assert.Equal("30d", policy.DefaultRetention);
        Assert.Equal(30, policy.DefaultRetentionDays);
        Assert.True(policy.Signing.Enabled);
        Assert.Equal("file://./.sec0/keys/ed25519.key", policy.Signing.KeyRef);
        Assert.True(policy.Tools.Allowlist!.AllowsEverything);
        Assert.False(policy.Tools.DenyIfUnpinnedVersion);
        Assert.Equal(EnforcementMode.Enforce, policy.Enforcement.Mode);
        Assert.Equal(EnforcementStrategy.DenyOnMatch, policy.Enforcement.Strategy);
        Assert.Empty(policy.Enforcement.DenyOn);
        Assert.Null(policy.Enforcement.EscalateOn);
        Assert.Null(policy.Enforcement.CircuitBreakers);
        Assert.Null(policy.Security.EgressAllowlist);
        Assert.Null(policy.Security.FsAllowlist);
        Assert.False(policy.Sast.Enabled);
        Assert.False(policy.Dast.Enabled);
    }

    [Fact]
    public void Quickstart_policy_loads_from_a_file()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("policy.yaml");
        File.WriteAllText(path, PolicySamples.Quickstart);

        var policy = PolicyLoader.Load(path);

        Assert.Equal(path, policy.SourceName);
    }

    [Fact]
    public void Full_policy_loads_every_key()
    {
        var policy = PolicyLoader.Parse(PolicySamples.Full, "/etc/sec0/policy.yaml");

        Assert.Equal(90, policy.DefaultRetentionDays);
        Assert.Equal(3, policy.Tools.Allowlist!.Patterns.Count);
        Assert.True(policy.Tools.DenyIfUnpinnedVersion);
        Assert.Equal([PolicyReason.ToolNotInAllowlist, PolicyReason.EgressViolation, PolicyReason.SastFailed, PolicyReason.PayloadTooLarge], policy.Enforcement.DenyOn);
        Assert.Equal([PolicyReason.PayloadTooLarge], policy.Enforcement.EscalateOn);
        Assert.Equal(50, policy.Enforcement.CircuitBreakers!.ErrorRatePct);
        Assert.Equal(2000, policy.Enforcement.CircuitBreakers.P95LatencyMs);
        Assert.Equal(10, policy.Enforcement.CircuitBreakers.MinSamples);
        Assert.Equal(CircuitBreakerOptions.DefaultWindowSize, policy.Enforcement.CircuitBreakers.WindowSize);
        Assert.Single(policy.Security.AllowVersions);
        Assert.Equal(2, policy.Security.EgressAllowlist!.Rules.Count);
        Assert.Equal(["/srv/data", "/etc/sec0/workspace"], policy.Security.FsAllowlist!.Roots);
        Assert.Equal(256, policy.Security.Limits.MaxPayloadKb);
        Assert.Equal(30000, policy.Security.Limits.MaxDurationMs);
        Assert.True(policy.Security.SideEffects.RequireIdempotencyKey);
        Assert.True(policy.Security.SideEffects.ApproveHighRisk);
        Assert.Equal("human_quorum", policy.Security.SideEffects.HumanEscalation!.ApprovalStrategy);
        Assert.Equal(2, policy.Security.SideEffects.HumanEscalation.MinApprovals);
        Assert.Equal(["ciso"], policy.Security.SideEffects.HumanEscalation.VetoRoles);
        Assert.True(policy.Sast.Enabled);
        Assert.True(policy.Sast.BlockOnChange);
        Assert.Equal(ScanSeverity.High, policy.Sast.BlockOnSeverity);
        Assert.True(policy.Sast.FailOnError);
        Assert.Equal(new Uri("https://sandbox.ok.com"), policy.Dast.SandboxUrl);
        Assert.Equal(DastScanMode.Async, policy.Dast.Mode);
        Assert.Equal(DastScanScope.Tool, policy.Dast.Scope);
        Assert.Equal(ScanSeverity.Medium, policy.Dast.BlockOnSeverity);
        Assert.Equal(3, policy.Dast.BlockOnCount);
        Assert.Equal(3600000, policy.Dast.RuleTtlMs);
        Assert.Equal(["dos"], policy.Dast.ExcludeTags);
        Assert.Equal([ScanSeverity.Medium, ScanSeverity.High, ScanSeverity.Critical], policy.Dast.Severity);
    }

    [Fact]
    public void Keys_of_the_TypeScript_schema_that_are_not_enforced_here_are_accepted_and_listed()
    {
        var policy = PolicyLoader.Parse(
            """
            tenant: demo
            observability: { otlp_endpoint: http://localhost:4318, sample: { success: 1, error: 1 } }
            privacy: { redact_outputs: true, store_raw_payloads: false }
            side_effects: { require_idempotency_key: true, max_retries: 3 }
            enforcement: { deny_on: [], agent_guard: { enabled: false } }
            """,
            "ts.yaml");

        Assert.Equal(["observability", "privacy", "enforcement.agent_guard"], policy.IgnoredKeys);
        Assert.True(policy.Security.SideEffects.RequireIdempotencyKey);
    }

    public static TheoryData<string, string, int, string> Problems => new()
    {
        { "tenant: demo\nenforcement:\n  deny_on: [foo]", "enforcement.deny_on[0]", 3, "\"foo\" is not a known reason; expected one of: missing_audit_signature, tool_not_in_allowlist, " },
        { "tenant: demo\nenforcement:\n  deny_on: [sast_fail]", "enforcement.deny_on[0]", 3, "\"sast_fail\" is not a known reason (did you mean \"sast_failed\"?); expected one of: " },
        { "tenant: demo\nenforcement:\n  escalate_on: [nope]", "enforcement.escalate_on[0]", 3, "\"nope\" is not a known reason; expected one of: " },
        { "tenant: demo\nenforcement:\n  escalate_on: [circuit_open]", "enforcement.escalate_on[0]", 3, "\"circuit_open\" cannot be escalated: an open circuit breaker always denies" },
        { "tenant: demo\nenforcement:\n  escalate_on: [sast_failed, malformed_input]", "enforcement.escalate_on[1]", 3, "\"malformed_input\" cannot be escalated: input that cannot be hashed always denies" },
        { "tenant: demo\nenforcment: {}", "enforcment", 2, "\"enforcment\" is not a known key; did you mean \"enforcement\"? (expected one of: tenant, " },
        { "tenant: demo\nenforcement:\n  deny_onn: []", "enforcement.deny_onn", 3, "\"deny_onn\" is not a known key; did you mean \"deny_on\"? (expected one of: mode, strategy, deny_on, escalate_on, circuit_breakers)" },
        { "tenant: demo\nzzz: 1", "zzz", 2, "\"zzz\" is not a known key (expected one of: " },
        { "default_retention: 30d", "tenant", 1, "is required" },
        { "tenant: [a]", "tenant", 1, "must be a string" },
        { "tenant: demo\ndefault_retention: forever", "default_retention", 2, "\"forever\" is not a retention; expected a number of days such as 30d, 90d or 180d" },
        { "tenant: demo\nsigning: { enabled: maybe }", "signing.enabled", 2, "must be true or false" },
        { "tenant: demo\nsigning: { key_ref: s3://bucket/key }", "signing.key_ref", 2, "\"s3://bucket/key\" is not supported; only file:// key refs are supported" },
        { "tenant: demo\ntools: { allowlist: [\"mcp://vision\"] }", "tools.allowlist[0]", 2, "\"mcp://vision\" has no tool part; expected mcp://server/tool@version (use mcp://vision/* for every tool of a server)" },
        { "tenant: demo\ntools: { allowlist: [\"mcp://vi*on/x\"] }", "tools.allowlist[0]", 2, "\"mcp://vi*on/x\" has a '*' inside its server; a '*' may only end a segment (server, tool or version)" },
        { "tenant: demo\ntools: { allowlist: \"*\" }", "tools.allowlist", 2, "must be a list of strings" },
        { "tenant: demo\nenforcement: { mode: loud }", "enforcement.mode", 2, "\"loud\" is not valid; expected one of: enforce, observe" },
        { "tenant: demo\nenforcement: { strategy: deny_all }", "enforcement.strategy", 2, "\"deny_all\" is not valid; expected one of: deny_on_match, deny_on_any" },
        { "tenant: demo\nenforcement: { circuit_breakers: { min_samples: 5 } }", "enforcement.circuit_breakers", 2, "needs error_rate_pct or p95_latency_ms (or both)" },
        { "tenant: demo\nenforcement: { circuit_breakers: { error_rate_pct: 150 } }", "enforcement.circuit_breakers.error_rate_pct", 2, "must be a number between 0 and 100" },
        { "tenant: demo\nenforcement: { circuit_breakers: { error_rate_pct: 0 } }", "enforcement.circuit_breakers.error_rate_pct", 2, "must be greater than 0 (0 would open every breaker)" },
        { "tenant: demo\nenforcement: { circuit_breakers: { p95_latency_ms: 10, min_samples: 0 } }", "enforcement.circuit_breakers.min_samples", 2, "must be an integer >= 1" },
        { "tenant: demo\nenforcement: { circuit_breakers: { p95_latency_ms: 10, min_samples: 50, window_size: 10 } }", "enforcement.circuit_breakers.window_size", 2, "must be at least min_samples (50)" },
        { "tenant: demo\nsecurity: { egress_allowlist: [\"https://api.ok.com*\"] }", "security.egress_allowlist[0]", 2, "\"https://api.ok.com*\" has a '*' that is not allowed; a '*' may only start the host as \"*.\" or end the path as \"/*\"" },
        { "tenant: demo\nsecurity: { egress_allowlist: [\"api.ok.com:8443\"] }", "security.egress_allowlist[0]", 2, "\"api.ok.com:8443\" has no scheme; expected a host such as api.example.com (https and http on their default ports) or a URL such as https://api.example.com:8443" },
        { "tenant: demo\nsecurity: { egress_allowlist: [\"*ok.com\"] }", "security.egress_allowlist[0]", 2, "\"*ok.com\" has a '*' that is not allowed; a '*' may only start the host as \"*.\". This differs from Sec0's TypeScript SDK on purpose" },
        { "tenant: demo\nsecurity: { egress_allowlist: [\"https://u:p@ok.com\"] }", "security.egress_allowlist[0]", 2, "\"https://u:p@ok.com\" has user information (before '@'); an entry names only scheme, host, port and path" },
        { "tenant: demo\nsecurity: { egress_allowlist: [\"https://ok.com/a?b=1\"] }", "security.egress_allowlist[0]", 2, "\"https://ok.com/a?b=1\" has a query or fragment; an entry names only scheme, host, port and path" },
        { "tenant: demo\nsecurity: { egress_allowlist: [\"https://ok.com/a%2Fb\"] }", "security.egress_allowlist[0]", 2, "\"https://ok.com/a%2Fb\" has a path with percent-encoded separators, dots or percent signs; write the path plainly" },
        { "tenant: demo\nsecurity: { fs_allowlist: [\"/data/*.txt\"] }", "security.fs_allowlist[0]", 2, "\"/data/*.txt\" has a wildcard that is not allowed; a folder may only end with /* or /**" },
        { "tenant: demo\nsecurity: { fs_allowlist: [\"~/data\"] }", "security.fs_allowlist[0]", 2, "\"~/data\" starts with '~'; home folders are not expanded, write an absolute path" },
        { "tenant: demo\nsecurity: { limits: { max_payload_kb: -1 } }", "security.limits.max_payload_kb", 2, "must be a number >= 0" },
        { "tenant: demo\nsecurity: { limits: { max_payload_mb: 1 } }", "security.limits.max_payload_mb", 2, "\"max_payload_mb\" is not a known key; did you mean \"max_payload_kb\"? (expected one of: max_payload_kb, max_duration_ms)" },
        { "tenant: demo\nsecurity: { allow_versions: { \"mcp://a/b@1\": [\"1\"] } }", "security.allow_versions.mcp://a/b@1", 2, "\"mcp://a/b@1\" names a version; a key names the tool (mcp://server/tool) and its value lists the versions" },
        { "tenant: demo\nsecurity: { side_effects: { human_escalation: { approval_strategy: vote } } }", "security.side_effects.human_escalation.approval_strategy", 2, "\"vote\" is not valid; expected one of: auto_allow, single_approver, human_quorum" },
        { "tenant: demo\nsast: { block_on_severity: severe }", "sast.block_on_severity", 2, "\"severe\" is not valid; expected one of: low, medium, high, critical" },
        { "tenant: demo\ndast: { enabled: true }", "dast.sandbox_url", 2, "is required when dast.enabled is true" },
        { "tenant: demo\ndast: { sandbox_url: ftp://x }", "dast.sandbox_url", 2, "\"ftp://x\" is not an absolute http or https URL" },
        { "tenant: demo\ndast: { severity: [high, extreme] }", "dast.severity[1]", 2, "\"extreme\" is not a severity; expected one of: low, medium, high, critical" },
        { "tenant: demo\ndast: { mode: later }", "dast.mode", 2, "\"later\" is not valid; expected one of: sync, async" },
        { "- a\n- b", "", 1, "the root must be a mapping" },
        { "tenant: demo\nenforcement: [1]", "enforcement", 2, "must be a mapping" },
    };

    [Theory]
    [MemberData(nameof(Problems))]
    public void Every_problem_names_its_path_line_and_what_is_wrong(string yaml, string path, int line, string messageStart)
    {
        var ex = Assert.Throws<Sec0PolicyException>(() => PolicyLoader.Parse(yaml, "p.yaml"));

        Assert.Equal(Sec0PolicyException.ErrorCode, ex.Code);
        var problem = Assert.Single(ex.Problems);
        Assert.Equal(path, problem.Path);
        Assert.Equal(line, problem.Line);
        Assert.StartsWith(messageStart, problem.Message, StringComparison.Ordinal);
        Assert.Contains(problem.ToString(), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_in_file_order()
    {
        var yaml = """
            default_retention: 1y
            tools:
              allowlist: ["mcp://x", "mcp://ok/*"]
            enforcement:
              mode: loud
              deny_on: [foo, sast_failed, bar]
              circuit_breakers: { error_rate_pct: 101 }
            security:
              egress_allowlist: ["https://api.ok.com*"]
              limits: { max_payload_kb: lots }
            sast: { enabled: yes please }
            """;

        var ex = Assert.Throws<Sec0PolicyException>(() => PolicyLoader.Parse(yaml, "p.yaml"));

        string[] expected =
        [
            "tenant (line 1): is required",
            "default_retention (line 1): \"1y\" is not a retention; expected a number of days such as 30d, 90d or 180d",
            "tools.allowlist[0] (line 3): \"mcp://x\" has no tool part",
            "enforcement.mode (line 5): \"loud\" is not valid; expected one of: enforce, observe",
            "enforcement.deny_on[0] (line 6): \"foo\" is not a known reason",
            "enforcement.deny_on[2] (line 6): \"bar\" is not a known reason",
            "enforcement.circuit_breakers.error_rate_pct (line 7): must be a number between 0 and 100",
            "security.egress_allowlist[0] (line 9): \"https://api.ok.com*\" has a '*' that is not allowed",
            "security.limits.max_payload_kb (line 10): must be a number >= 0",
            "sast.enabled (line 11): must be true or false",
        ];
        var actual = ex.Problems.Select(problem => problem.ToString()).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (var index = 0; index < expected.Length; index++)
        {
            Assert.StartsWith(expected[index], actual[index], StringComparison.Ordinal);
        }

        Assert.StartsWith("[sec0] Invalid policy file: p.yaml (10 problems)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_merge_key_is_one_problem_among_the_others()
    {
        var yaml = """
            tenant: demo
            signing: { enabled: maybe }
            sast:
              <<: 5
              enabled: true
            dast: { mode: later }
            """;

        var ex = Assert.Throws<Sec0PolicyException>(() => PolicyLoader.Parse(yaml, "p.yaml"));

        Assert.Equal(
            [
                "signing.enabled (line 2): must be true or false",
                "sast.<< (line 4): must be a mapping or a list of mappings",
                "dast.mode (line 6): \"later\" is not valid; expected one of: sync, async",
            ],
            ex.Problems.Select(problem => problem.ToString()));
    }

    [Fact]
    public void A_syntax_error_is_one_problem_with_line_and_column()
    {
        var ex = Assert.Throws<Sec0PolicyException>(() => PolicyLoader.Parse("tenant: demo\nenforcement: { deny_on: [a\n", "p.yaml"));

        var problem = Assert.Single(ex.Problems);
        Assert.Equal(string.Empty, problem.Path);
        Assert.True(problem.Line >= 2);
        Assert.True(problem.Column >= 1);
    }

    [Fact]
    public void A_missing_file_is_a_policy_exception_with_the_path()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("missing.yaml");

        var ex = Assert.Throws<Sec0PolicyException>(() => PolicyLoader.Load(path));

        Assert.Equal($"policy file not found: {path}", Assert.Single(ex.Problems).Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# nothing\n")]
    [InlineData("---\n...\n")]
    public void An_empty_file_is_a_problem(string yaml)
    {
        var ex = Assert.Throws<Sec0PolicyException>(() => PolicyLoader.Parse(yaml, "p.yaml"));

        Assert.Equal("the file holds no YAML mapping; a policy needs at least tenant", Assert.Single(ex.Problems).Message);
    }

    [Fact]
    public void Reason_vocabulary_has_every_design_name_and_the_dotnet_additions()
    {
        string[] design =
        [
            "missing_audit_signature", "tool_not_in_allowlist", "version_unpinned", "missing_idempotency_for_side_effect",
            "egress_violation", "fs_violation", "payload_too_large", "duration_too_long", "registry_mutation", "handler_swap",
            "server_code_changed", "tool_code_changed", "skill_version_changed", "skill_code_changed", "skill_scan_pending",
            "skill_scan_failed", "sast_pending", "sast_failed", "dast_pending", "dast_failed", "agent_guard_failed",
            "contextual_evaluator_denied", "contextual_evaluator_escalated",
        ];

        Assert.Equal([.. design, "circuit_open", "malformed_input", "unintercepted_call"], PolicyReasons.All);
        foreach (var name in PolicyReasons.All)
        {
            Assert.True(PolicyReasons.TryParse(name, out var reason));
            Assert.Equal(name, PolicyReasons.GetName(reason));
        }
    }
}

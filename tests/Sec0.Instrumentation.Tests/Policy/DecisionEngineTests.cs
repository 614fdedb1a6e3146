using Sec0.Config;
using Sec0.Policy;

namespace Sec0.Instrumentation.Tests.Policy;

public sealed class DecisionEngineTests
{
    /// <summary>A policy under which every reason can be detected; the enforcement block is filled in per test.</summary>
    private static string DetectingPolicy(string enforcement, string sideEffects = "require_idempotency_key: true") => $$"""
        tenant: demo
        tools:
          allowlist: ["mcp://ok/*@*"]
          deny_if_unpinned_version: true
        enforcement: {{enforcement}}
        security:
          egress_allowlist: ["https://ok.com"]
          fs_allowlist: ["/data"]
          limits: { max_payload_kb: 1, max_duration_ms: 1000 }
          side_effects: { {{sideEffects}} }
        sast: { enabled: true, block_on_change: true }
        dast: { enabled: true, block_on_change: true, sandbox_url: "https://sandbox.ok.com" }
        """;

    /// <summary>A call that violates nothing under <see cref="DetectingPolicy"/>.</summary>
    private static readonly DecisionContext s_clean = new()
    {
        Server = "ok",
        Tool = "read",
        Version = "1.0.0",
        PayloadBytes = 100,
        DurationEstimateMs = 10,
        IsSideEffect = true,
        HasIdempotencyKey = true,
        CodeHash = "sha256:abc",
        SastStatus = ScanStatus.Pass,
        DastStatus = ScanStatus.Pass,
        EgressUrl = "https://ok.com/x",
        FsPath = "/data/x.txt",
    };

    /// <summary>For each reason, a change to the clean call that violates exactly that reason.</summary>
    private static readonly Dictionary<PolicyReason, Func<DecisionContext, DecisionContext>> s_triggers = new()
    {
        [PolicyReason.MissingAuditSignature] = c => c with { MissingAuditSignature = true },
        [PolicyReason.ToolNotInAllowlist] = c => c with { Server = "evil" },
        [PolicyReason.VersionUnpinned] = c => c with { Version = "latest" },
        [PolicyReason.MissingIdempotencyForSideEffect] = c => c with { HasIdempotencyKey = false },
        [PolicyReason.EgressViolation] = c => c with { EgressUrl = "https://ok.com@evil.io/" },
        [PolicyReason.FsViolation] = c => c with { FsPath = "/data/../etc/passwd" },
        [PolicyReason.PayloadTooLarge] = c => c with { PayloadBytes = 1025 },
        [PolicyReason.DurationTooLong] = c => c with { DurationEstimateMs = 1001 },
        [PolicyReason.RegistryMutation] = c => c with { RegistryMutation = true },
        [PolicyReason.HandlerSwap] = c => c with { HandlerSwap = true },
        [PolicyReason.ServerCodeChanged] = c => c with { ServerCodeChanged = true },
        [PolicyReason.ToolCodeChanged] = c => c with { ToolCodeChanged = true },
        [PolicyReason.SkillVersionChanged] = c => c with { SkillVersionChanged = true },
        [PolicyReason.SkillCodeChanged] = c => c with { SkillCodeChanged = true },
        [PolicyReason.SkillScanPending] = c => c with { SkillScanPending = true },
        [PolicyReason.SkillScanFailed] = c => c with { SkillScanFailed = true },
        [PolicyReason.SastPending] = c => c with { SastStatus = ScanStatus.Pending },
        [PolicyReason.SastFailed] = c => c with { SastStatus = ScanStatus.Fail },
        [PolicyReason.DastPending] = c => c with { DastStatus = ScanStatus.None },
        [PolicyReason.DastFailed] = c => c with { DastStatus = ScanStatus.Error },
        [PolicyReason.AgentGuardFailed] = c => c with { AgentGuardFailed = true },
        [PolicyReason.ContextualEvaluatorDenied] = c => c with { ContextualEvaluatorDenied = true },
        [PolicyReason.ContextualEvaluatorEscalated] = c => c with { ContextualEvaluatorEscalated = true },
        [PolicyReason.CircuitOpen] = c => c with { CircuitOpen = true },
        [PolicyReason.MalformedInput] = c => c with { MalformedInput = true },
        [PolicyReason.UninterceptedCall] = c => c with { UninterceptedCall = true },
    };

    public static TheoryData<string, string, string, bool> ReasonModeStrategy()
    {
        var data = new TheoryData<string, string, string, bool>();
        foreach (var reason in PolicyReasons.All)
        {
            foreach (var mode in new[] { "enforce", "observe" })
            {
                foreach (var strategy in new[] { "deny_on_match", "deny_on_any" })
                {
                    data.Add(reason, mode, strategy, true);
                    data.Add(reason, mode, strategy, false);
                }
            }
        }

        return data;
    }

    [Fact]
    public void Every_reason_has_a_trigger()
    {
        Assert.Equal(PolicyReasons.All.Count, s_triggers.Count);
    }

    [Fact]
    public void The_clean_call_is_allowed_with_no_violations()
    {
        var engine = Engine(DetectingPolicy("{ strategy: deny_on_any }"));

        var decision = engine.Decide(s_clean);

        Assert.Equal(DecisionOutcome.Allow, decision.Outcome);
        Assert.True(decision.Violations.IsEmpty);
        Assert.Equal(PolicyReason.None, decision.PrimaryReason);
        Assert.Equal(0, decision.RiskScore);
        Assert.Equal(["side_effect"], decision.GetRiskTagNames());
    }

    [Theory]
    [MemberData(nameof(ReasonModeStrategy))]
    public void Each_reason_under_each_mode_and_strategy(string reasonName, string mode, string strategy, bool listedInDenyOn)
    {
        Assert.True(PolicyReasons.TryParse(reasonName, out var reason));
        var denyOn = listedInDenyOn ? $"[{reasonName}]" : "[]";
        var engine = Engine(DetectingPolicy($"{{ mode: {mode}, strategy: {strategy}, deny_on: {denyOn} }}"));
        var context = s_triggers[reason](s_clean);

        var decision = engine.Decide(context);

        Assert.Equal(PolicyReasonSet.Of(reason), decision.Violations);
        Assert.Equal(reason, decision.PrimaryReason);
        var enforceDenies = reason is PolicyReason.CircuitOpen or PolicyReason.MalformedInput || strategy == "deny_on_any" || listedInDenyOn;
        var expected = !enforceDenies ? DecisionOutcome.Allow
            : mode == "observe" && reason != PolicyReason.MalformedInput ? DecisionOutcome.WouldDeny
            : DecisionOutcome.Deny;
        Assert.Equal(expected, decision.Outcome);
        Assert.Equal(expected != DecisionOutcome.Allow, !decision.BlockingReasons.IsEmpty);
        Assert.InRange(decision.RiskScore, 0.1, 1.0);
        Assert.NotEmpty(decision.GetRiskTagNames());
    }

    [Fact]
    public void An_empty_deny_on_denies_nothing_even_with_every_violation_at_once()
    {
        var engine = Engine(DetectingPolicy("{ deny_on: [] }"));
        var context = s_triggers.Where(pair => pair.Key is not (PolicyReason.CircuitOpen or PolicyReason.MalformedInput)).Aggregate(s_clean, (c, pair) => pair.Value(c));

        var decision = engine.Decide(context);

        Assert.Equal(DecisionOutcome.Allow, decision.Outcome);
        // Every reason but the two that always deny; sast and dast each have one status, so pending and failed cannot both hold.
        Assert.Equal(PolicyReasons.All.Count - 4, decision.Violations.Count);
        Assert.Equal(PolicyReason.HandlerSwap, decision.PrimaryReason);
        Assert.True(decision.RiskScore > 0.99);
    }

    [Fact]
    public void A_caller_without_entitlement_is_denied_even_when_deny_on_does_not_list_the_reason()
    {
        var engine = Engine(DetectingPolicy("{ deny_on: [] }"));

        var decision = engine.Decide(s_clean with { NotEntitled = true });

        Assert.Equal(DecisionOutcome.Deny, decision.Outcome);
        Assert.Equal(PolicyReason.ToolNotInAllowlist, decision.PrimaryReason);
    }

    [Fact]
    public void A_caller_without_entitlement_is_only_recorded_in_observe_mode()
    {
        var engine = Engine(DetectingPolicy("{ mode: observe, deny_on: [] }"));

        var decision = engine.Decide(s_clean with { NotEntitled = true });

        Assert.Equal(DecisionOutcome.WouldDeny, decision.Outcome);
        Assert.Equal(PolicyReason.ToolNotInAllowlist, decision.PrimaryReason);
    }

    [Fact]
    public void Observe_mode_records_would_deny_and_never_blocks()
    {
        var engine = Engine(DetectingPolicy("{ mode: observe, strategy: deny_on_any }"));

        var decision = engine.Decide(s_clean with { PayloadBytes = 10_000, CircuitOpen = true });

        Assert.Equal(DecisionOutcome.WouldDeny, decision.Outcome);
        Assert.False(decision.IsBlocked);
        Assert.Equal("would_deny", decision.OutcomeName);
        Assert.Throws<InvalidOperationException>(() => decision.CreateException("decorator", "x"));
    }

    [Fact]
    public void Escalate_on_escalates_instead_of_denying()
    {
        var engine = Engine(DetectingPolicy("{ deny_on: [payload_too_large, egress_violation], escalate_on: [payload_too_large] }"));

        var escalated = engine.Decide(s_clean with { PayloadBytes = 10_000 });
        var denied = engine.Decide(s_clean with { PayloadBytes = 10_000, EgressUrl = "https://evil.io" });

        Assert.Equal(DecisionOutcome.Escalate, escalated.Outcome);
        Assert.Equal(PolicyReason.PayloadTooLarge, escalated.PrimaryReason);
        Assert.True(escalated.IsBlocked);
        Assert.Equal(DecisionOutcome.Deny, denied.Outcome);
        Assert.Equal(PolicyReason.EgressViolation, denied.PrimaryReason);
        Assert.Equal(PolicyReasonSet.Of(PolicyReason.EgressViolation), denied.BlockingReasons);
    }

    [Fact]
    public void Escalate_on_reasons_escalate_even_when_not_in_deny_on()
    {
        var engine = Engine(DetectingPolicy("{ deny_on: [], escalate_on: [sast_failed] }"));

        Assert.Equal(DecisionOutcome.Escalate, engine.Decide(s_clean with { SastStatus = ScanStatus.Fail }).Outcome);
    }

    [Fact]
    public void Without_escalate_on_deny_on_escalates_only_when_approve_high_risk_is_true()
    {
        var approving = Engine(DetectingPolicy("{ deny_on: [sast_failed] }", "approve_high_risk: true"));
        var plain = Engine(DetectingPolicy("{ deny_on: [sast_failed] }", "approve_high_risk: false"));
        var context = s_clean with { SastStatus = ScanStatus.Fail };

        Assert.Equal(DecisionOutcome.Escalate, approving.Decide(context).Outcome);
        Assert.Equal(DecisionOutcome.Deny, plain.Decide(context).Outcome);
    }

    [Fact]
    public void Observe_mode_turns_escalate_into_would_deny()
    {
        var engine = Engine(DetectingPolicy("{ mode: observe, deny_on: [], escalate_on: [sast_failed] }"));

        Assert.Equal(DecisionOutcome.WouldDeny, engine.Decide(s_clean with { SastStatus = ScanStatus.Fail }).Outcome);
    }

    [Fact]
    public void An_open_circuit_denies_whatever_deny_on_says_and_is_not_escalated()
    {
        var engine = Engine(DetectingPolicy("{ deny_on: [], escalate_on: [payload_too_large] }"));

        var decision = engine.Decide(s_clean with { CircuitOpen = true, PayloadBytes = 10_000 });

        Assert.Equal(DecisionOutcome.Deny, decision.Outcome);
        Assert.Equal(PolicyReason.CircuitOpen, decision.PrimaryReason);
        var ex = Assert.IsType<Sec0CircuitOpenException>(decision.CreateException("decorator", "Orders.Run"));
        Assert.Equal("CIRCUIT_OPEN", ex.Code);
        Assert.Equal("circuit_open", ex.Violation);
        Assert.Equal("Orders.Run", ex.Key);
        Assert.IsAssignableFrom<Sec0PolicyDeniedException>(ex);
    }

    [Theory]
    [InlineData("{ deny_on: [] }")]
    [InlineData("{ mode: observe, strategy: deny_on_any }")]
    [InlineData("{ deny_on: [payload_too_large], escalate_on: [payload_too_large] }")]
    public void Malformed_input_denies_in_every_mode_whatever_deny_on_says_and_is_not_escalated(string enforcement)
    {
        var engine = Engine(DetectingPolicy(enforcement));

        var decision = engine.Decide(s_clean with { MalformedInput = true, PayloadBytes = 10_000 });

        Assert.Equal(DecisionOutcome.Deny, decision.Outcome);
        Assert.True(decision.IsBlocked);
        Assert.Equal(PolicyReason.MalformedInput, decision.PrimaryReason);
        Assert.Contains("audit_gap", decision.GetRiskTagNames());
        Assert.Equal("malformed_input", decision.CreateException("middleware", "mcp://ok/read@1.0.0").Violation);
    }

    [Fact]
    public void A_hop_enforcement_block_cannot_relax_malformed_input()
    {
        var engine = Engine(DetectingPolicy("{ deny_on: [] }"));
        var observing = new HopEnforcementConfig { Mode = EnforcementMode.Observe, EscalateOn = ["malformed_input"] };

        Assert.Equal(DecisionOutcome.Deny, engine.WithEnforcement(observing).Decide(s_clean with { MalformedInput = true }).Outcome);
    }

    [Fact]
    public void A_denial_becomes_a_policy_denied_exception_with_the_primary_reason()
    {
        var engine = Engine(DetectingPolicy("{ strategy: deny_on_any }"));

        var decision = engine.Decide(s_clean with { PayloadBytes = 10_000, HandlerSwap = true });
        var ex = decision.CreateException("middleware", "mcp://ok/read@1.0.0");

        Assert.Equal("POLICY_DENIED", ex.Code);
        Assert.Equal("handler_swap", ex.Violation);
        Assert.Equal("middleware", ex.DenialLevel);
        Assert.Equal("[sec0] \"mcp://ok/read@1.0.0\" denied by policy: handler_swap (violations: [payload_too_large, handler_swap]).", ex.Message);
    }

    [Theory]
    [InlineData(ScanStatus.None, true, true, "sast_pending")]
    [InlineData(ScanStatus.Pending, true, true, "sast_pending")]
    [InlineData(ScanStatus.Pending, false, true, "")]
    [InlineData(ScanStatus.Pass, true, true, "")]
    [InlineData(ScanStatus.Fail, false, true, "sast_failed")]
    [InlineData(ScanStatus.Error, false, true, "sast_failed")]
    [InlineData(ScanStatus.Error, false, false, "")]
    public void Scan_verdicts_map_to_reasons(ScanStatus status, bool blockOnChange, bool failOnError, string expected)
    {
        var engine = Engine($$"""
            tenant: demo
            enforcement: { deny_on: [sast_pending, sast_failed] }
            sast: { enabled: true, block_on_change: {{(blockOnChange ? "true" : "false")}}, fail_on_error: {{(failOnError ? "true" : "false")}} }
            """);

        var decision = engine.Decide(new DecisionContext { HopKey = "A.B", CodeHash = "h", SastStatus = status });

        Assert.Equal(expected, string.Join(",", decision.Violations.ToNames()));
        Assert.Equal(expected.Length == 0 ? DecisionOutcome.Allow : DecisionOutcome.Deny, decision.Outcome);
    }

    [Fact]
    public void Scan_verdicts_are_ignored_when_scanning_is_off()
    {
        var engine = Engine("tenant: demo\nenforcement: { strategy: deny_on_any }");

        Assert.Equal(DecisionOutcome.Allow, engine.Decide(new DecisionContext { SastStatus = ScanStatus.Fail, DastStatus = ScanStatus.Error }).Outcome);
    }

    [Fact]
    public void Allow_versions_restricts_the_versions_of_a_listed_tool()
    {
        var engine = Engine("""
            tenant: demo
            tools: { allowlist: ["*"] }
            enforcement: { deny_on: [tool_not_in_allowlist] }
            security: { allow_versions: { "mcp://files/read": ["1.2.0"], "mcp://vision/*": ["2.0.0"] } }
            """);

        DecisionOutcome Decide(string server, string tool, string? version) =>
            engine.Decide(new DecisionContext { Server = server, Tool = tool, Version = version }).Outcome;

        Assert.Equal(DecisionOutcome.Allow, Decide("files", "read", "1.2.0"));
        Assert.Equal(DecisionOutcome.Deny, Decide("files", "read", "1.3.0"));
        Assert.Equal(DecisionOutcome.Deny, Decide("files", "read", null));
        Assert.Equal(DecisionOutcome.Allow, Decide("files", "write", null));
        Assert.Equal(DecisionOutcome.Allow, Decide("vision", "describe", "2.0.0"));
        Assert.Equal(DecisionOutcome.Deny, Decide("vision", "describe", "1.0.0"));
    }

    [Theory]
    [InlineData("1.2.3", true)]
    [InlineData("2024-01-01", true)]
    [InlineData("sha256:abc", true)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("latest", false)]
    [InlineData("LATEST", false)]
    [InlineData("*", false)]
    [InlineData("^1.2.0", false)]
    [InlineData("~1.2", false)]
    [InlineData(">=1.0", false)]
    [InlineData("1.x", false)]
    [InlineData("1.2.X", false)]
    [InlineData("1.0.0-linux-x64", true)]
    public void Pinned_versions(string? version, bool pinned) => Assert.Equal(pinned, DecisionEngine.IsPinned(version));

    [Fact]
    public void A_hop_enforcement_block_overrides_the_policy_enforcement_for_that_hop()
    {
        var engine = Engine(DetectingPolicy("{ deny_on: [] }"));
        var hop = new HopEnforcementConfig { Mode = EnforcementMode.Enforce, DenyOn = ["payload_too_large"] };
        var observing = new HopEnforcementConfig { Mode = EnforcementMode.Observe, Strategy = "deny_on_any" };
        var context = s_clean with { PayloadBytes = 10_000 };

        Assert.Equal(DecisionOutcome.Allow, engine.Decide(context).Outcome);
        Assert.Equal(DecisionOutcome.Deny, engine.WithEnforcement(hop).Decide(context).Outcome);
        Assert.Equal(DecisionOutcome.Escalate, engine.WithEnforcement(hop with { EscalateOn = ["payload_too_large"] }).Decide(context).Outcome);
        Assert.Equal(DecisionOutcome.WouldDeny, engine.WithEnforcement(observing).Decide(context).Outcome);
        Assert.Same(engine, engine.WithEnforcement(HopEnforcementConfig.Default));
        Assert.Same(engine.WithEnforcement(hop), engine.WithEnforcement(hop));
    }

    [Fact]
    public void A_hop_enforcement_block_with_unknown_reasons_is_a_policy_exception()
    {
        var engine = Engine(PolicySamples.Quickstart);

        var ex = Assert.Throws<Sec0PolicyException>(() => engine.WithEnforcement(
            new HopEnforcementConfig { DenyOn = ["payload_too_large", "payload_to_large"], EscalateOn = ["x"] },
            "app.hops.Orders.Run.enforcement"));

        Assert.Equal(
            ["app.hops.Orders.Run.enforcement.deny_on[1]", "app.hops.Orders.Run.enforcement.escalate_on[0]"],
            ex.Problems.Select(problem => problem.Path));
        Assert.Contains("did you mean \"payload_too_large\"", ex.Problems[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Risk_score_is_the_noisy_or_of_the_reason_weights()
    {
        var engine = Engine(DetectingPolicy("{ deny_on: [] }"));

        var one = engine.Decide(s_clean with { PayloadBytes = 10_000 });
        var two = engine.Decide(s_clean with { PayloadBytes = 10_000, DurationEstimateMs = 5000 });

        Assert.Equal(0.3, one.RiskScore, 4);
        Assert.Equal(1 - (0.7 * 0.7), two.RiskScore, 4);
        Assert.Equal(["resource_abuse", "side_effect"], two.GetRiskTagNames());
    }

    [Fact]
    public void Deciding_an_allowed_call_does_not_allocate()
    {
        var patterns = string.Join(", ", Enumerable.Range(0, 100).Select(index => $"\"mcp://server{index}/tool{index}@1.0.{index}\""));
        var engine = Engine($$"""
            tenant: demo
            tools: { allowlist: [{{patterns}}], deny_if_unpinned_version: true }
            enforcement: { deny_on: [tool_not_in_allowlist, version_unpinned, payload_too_large] }
            security: { limits: { max_payload_kb: 64 }, side_effects: { require_idempotency_key: true } }
            sast: { enabled: true }
            """);
        var allowed = new DecisionContext { Server = "server57", Tool = "tool57", Version = "1.0.57", PayloadBytes = 512, SastStatus = ScanStatus.Pass };
        var denied = allowed with { Server = "server999" };
        Assert.Equal(DecisionOutcome.Allow, engine.Decide(allowed).Outcome);
        Assert.Equal(DecisionOutcome.Deny, engine.Decide(denied).Outcome);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            engine.Decide(allowed);
            engine.Decide(denied);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static DecisionEngine Engine(string yaml) => DecisionEngine.Create(PolicyLoader.Parse(yaml, "/policies/test.yaml"));
}

using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Sec0.Config;
using Sec0.ControlPlane;
using Sec0.Instrumentation.Tests.Signing;
using Sec0.Policy;

namespace Sec0.Instrumentation.Tests.ControlPlane;

/// <summary>
/// <see cref="RemoteDecider"/> against the reference control plane on 127.0.0.1: what it sends, how each answer maps to a
/// decision, the budget (one deadline for the whole decision, retries included), what is retried, and each failure mode.
/// </summary>
public sealed class RemoteDecisionTests : IAsyncLifetime
{
    // Every call to payments/transfer violates tool_not_in_allowlist, which denies it locally.
    private const string DenyPolicy = """
        tenant: demo
        tools:
          allowlist: ["mcp://ledger/*@*"]
        enforcement:
          deny_on: [tool_not_in_allowlist]
        """;

    // The same violation escalates to a human instead.
    private const string EscalatePolicy = """
        tenant: demo
        tools:
          allowlist: ["mcp://ledger/*@*"]
        security:
          side_effects:
            approve_high_risk: true
        enforcement:
          deny_on: [tool_not_in_allowlist]
        """;

    // The violation is recorded but denies nothing locally (deny_on is empty).
    private const string RecordPolicy = """
        tenant: demo
        tools:
          allowlist: ["mcp://ledger/*@*"]
        """;

    // A behaviour bound, not a benchmark: the caller's thread is back within the budget plus scheduling slack.
    private static readonly TimeSpan s_slack = TimeSpan.FromMilliseconds(1500);

    private static readonly RemoteDecisionContext s_context = new()
    {
        ExecutionLayer = DenialLevels.Decorator,
        Tenant = "demo",
        Server = "payments",
        Tool = "transfer",
        Version = "1.0.0",
        NodeId = "payments",
        RunId = new string('a', 32),
        HopKey = "Ledger.Transfer",
    };

    private ReferenceControlPlane _server = null!;
    private readonly CollectingLogger _log = new();

    public async Task InitializeAsync() => _server = await ReferenceControlPlane.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private RemoteDecider Decider(
        RemoteDecisionFailureMode mode = RemoteDecisionFailureMode.Local,
        int budgetMs = 3000,
        int retries = 1,
        int backoffMs = 50,
        string? key = null) => new(
        new RemoteDecisionConfig
        {
            Endpoint = new Uri(_server.BaseUrl, "/v1/runtime/evaluate"),
            FailureMode = mode,
            Budget = TimeSpan.FromMilliseconds(budgetMs),
            MaxRetries = retries,
            RetryBackoff = TimeSpan.FromMilliseconds(backoffMs),
            ApiKey = key ?? _server.ApiKey,
        },
        _log);

    private static DecisionEngine Engine(string policy = DenyPolicy, bool observe = false)
    {
        var engine = DecisionEngine.Create(PolicyLoader.Parse(policy, "policy.yaml"));
        return observe ? engine.WithEnforcement(new HopEnforcementConfig { Mode = EnforcementMode.Observe }) : engine;
    }

    private static Decision Local(DecisionEngine engine, string tool = "transfer") =>
        engine.Decide(new DecisionContext { Server = "payments", Tool = tool, Version = "1.0.0" });

    private List<JsonElement> Evaluations() =>
        [.. _server.Requests.Where(r => r.Route == ControlPlaneRoute.Evaluate).Select(r => r.Json)];

    private List<string> Warnings() => [.. _log.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message)];

    [Fact]
    public void The_config_keys_and_variables_are_those_the_docs_give_with_their_defaults()
    {
        const string Base = """
            app: { tenant: demo, environment: dev, client: { name: remote-tests, version: "1.0.0" } }
            controlPlane: { sec0Dir: ./.sec0, localSignerPath: ./.sec0/keys/ed25519.key }
            """;
        Sec0Config Parse(string yaml, Dictionary<string, string> env) =>
            Sec0ConfigLoader.Parse(yaml, "/tmp/sec0.config.yaml", new Sec0ConfigLoadOptions { CheckSigningKeyExists = false, Environment = env.GetValueOrDefault });

        Assert.Null(Parse(Base, []).ControlPlane.Runtime);
        Assert.Null(Parse(Base, new() { ["SEC0_RUNTIME_MODE"] = "local" }).ControlPlane.Runtime);

        var defaults = Parse(Base, new() { ["SEC0_RUNTIME_MODE"] = "remote", ["SEC0_RUNTIME_REMOTE_URL"] = "https://rt.example/v1/runtime/evaluate", ["SEC0_API_KEY"] = "sec0_key_from_auth" }).ControlPlane.Runtime!;
        Assert.Equal(new Uri("https://rt.example/v1/runtime/evaluate"), defaults.Endpoint);
        Assert.Equal(RemoteDecisionFailureMode.Local, defaults.FailureMode);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), defaults.Budget);
        Assert.Equal(1, defaults.MaxRetries);
        Assert.Equal(TimeSpan.FromMilliseconds(150), defaults.RetryBackoff);
        Assert.Equal("sec0_key_from_auth", defaults.ApiKey);

        var variables = Parse(Base, new()
        {
            ["SEC0_RUNTIME_MODE"] = "remote",
            ["SEC0_RUNTIME_REMOTE_URL"] = "https://rt.example/v1/runtime/evaluate",
            ["SEC0_RUNTIME_FAILURE_MODE"] = "deny",
            ["SEC0_RUNTIME_TIMEOUT_MS"] = "800",
            ["SEC0_RUNTIME_MAX_RETRIES"] = "2",
            ["SEC0_RUNTIME_RETRY_BACKOFF_MS"] = "20",
            ["SEC0_RUNTIME_API_KEY"] = "sec0_runtime_key",
            ["SEC0_API_KEY"] = "sec0_key_from_auth",
        }).ControlPlane.Runtime!;
        Assert.Equal(RemoteDecisionFailureMode.Deny, variables.FailureMode);
        Assert.Equal(TimeSpan.FromMilliseconds(800), variables.Budget);
        Assert.Equal(2, variables.MaxRetries);
        Assert.Equal(TimeSpan.FromMilliseconds(20), variables.RetryBackoff);
        Assert.Equal("sec0_runtime_key", variables.ApiKey);

        // The file wins over the variables.
        var file = Parse(
            Base.Replace("controlPlane: { ", "controlPlane: { runtime: { mode: remote, endpoint: \"http://127.0.0.1:9/v1/runtime/evaluate\", failureMode: allow, timeoutMs: 250, maxRetries: 0, retryBackoffMs: 0 }, ", StringComparison.Ordinal),
            new() { ["SEC0_RUNTIME_MODE"] = "local", ["SEC0_RUNTIME_FAILURE_MODE"] = "deny", ["SEC0_RUNTIME_TIMEOUT_MS"] = "900" }).ControlPlane.Runtime!;
        Assert.Equal(new Uri("http://127.0.0.1:9/v1/runtime/evaluate"), file.Endpoint);
        Assert.Equal(RemoteDecisionFailureMode.Allow, file.FailureMode);
        Assert.Equal(TimeSpan.FromMilliseconds(250), file.Budget);
        Assert.Equal(0, file.MaxRetries);
        Assert.Equal(TimeSpan.Zero, file.RetryBackoff);
        Assert.Null(file.ApiKey);
    }

    [Fact]
    public void The_request_follows_the_spec_with_the_local_violations_and_a_bearer_key()
    {
        using var decider = Decider();
        var engine = Engine();
        decider.Decide(Local(engine), engine, s_context);

        var request = Assert.Single(_server.Requests);
        Assert.Equal(ControlPlaneRoute.Evaluate, request.Route);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1/runtime/evaluate", request.PathAndQuery);
        Assert.Equal("Bearer " + _server.ApiKey, request.Headers["authorization"]);
        Assert.StartsWith("application/json", request.Headers["content-type"], StringComparison.Ordinal);

        var body = request.Json;
        Assert.Equal("2026-02-01", body.GetProperty("protocolVersion").GetString());
        Assert.True(Guid.TryParse(body.GetProperty("requestId").GetString(), out _));

        var context = body.GetProperty("context");
        // The spec's enum value (the TypeScript SDK sends "sec0", which the spec does not allow).
        Assert.Equal("@coreax/sdk", context.GetProperty("integrationSurface").GetString());
        Assert.Equal("decorator", context.GetProperty("executionLayer").GetString());
        Assert.Equal("demo", context.GetProperty("tenant").GetString());
        Assert.Equal("payments", context.GetProperty("server").GetString());
        Assert.Equal("transfer", context.GetProperty("tool").GetString());
        Assert.Equal("payments", context.GetProperty("nodeId").GetString());
        Assert.Equal(new string('a', 32), context.GetProperty("runId").GetString());

        var enforcement = body.GetProperty("enforcement");
        Assert.Equal("enforce", enforcement.GetProperty("mode").GetString());
        Assert.Equal("deny_on_match", enforcement.GetProperty("strategy").GetString());
        Assert.Equal(["tool_not_in_allowlist"], enforcement.GetProperty("denyOn").EnumerateArray().Select(e => e.GetString()));
        Assert.False(enforcement.GetProperty("forceDeny").GetBoolean());

        var input = body.GetProperty("input");
        Assert.Equal(["tool_not_in_allowlist"], input.GetProperty("reasons").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["supply_chain"], input.GetProperty("riskTags").EnumerateArray().Select(e => e.GetString()));
        var attributes = input.GetProperty("attributes");
        Assert.Equal("deny", attributes.GetProperty("localDecision").GetString());
        Assert.Equal("tool_not_in_allowlist", attributes.GetProperty("localReason").GetString());
        Assert.Equal("1.0.0", attributes.GetProperty("version").GetString());
        Assert.Equal("Ledger.Transfer", attributes.GetProperty("hop").GetString());
    }

    [Fact]
    public void A_traced_call_sends_its_trace_context()
    {
        using var source = new ActivitySource("Sec0.Tests.RemoteDecision");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var decider = Decider();
        var engine = Engine();

        using (var activity = source.StartActivity("hop"))
        {
            Assert.NotNull(activity);
            decider.Decide(Local(engine), engine, s_context);
            Assert.Contains(activity.TraceId.ToHexString(), Assert.Single(_server.Requests).Headers["traceparent"], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Every_decision_has_its_own_request_id_and_its_retries_keep_it()
    {
        using var decider = Decider();
        var engine = Engine();
        var local = Local(engine);
        decider.Decide(local, engine, s_context);
        await decider.DecideAsync(local, engine, s_context);
        _server.Fail(ControlPlaneRoute.Evaluate, new ControlPlaneFault(Status: 503), times: 1);
        decider.Decide(local, engine, s_context);

        var ids = Evaluations().Select(e => e.GetProperty("requestId").GetString()).ToList();
        Assert.Equal(4, ids.Count);
        Assert.Equal(3, ids.Distinct().Count());
        // The retry after the 503 is the same request: the server may deduplicate it.
        Assert.Equal(ids[2], ids[3]);
    }

    [Fact]
    public void A_clean_call_makes_no_request()
    {
        using var decider = Decider();
        var engine = DecisionEngine.Create(PolicyLoader.Parse("tenant: demo\n", "policy.yaml"));
        var local = Local(engine);
        Assert.True(local.Violations.IsEmpty);

        var decision = decider.Decide(local, engine, s_context);

        Assert.Equal(DecisionOutcome.Allow, decision.Outcome);
        Assert.Equal(DecisionSource.Local, decision.Source);
        Assert.Equal("local", decision.SourceName);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public void Circuit_open_and_malformed_input_stay_local_decisions()
    {
        using var decider = Decider(RemoteDecisionFailureMode.Allow);
        _server.Evaluate = _ => ("allow", null);
        var engine = Engine();
        var malformed = engine.Decide(new DecisionContext { Server = "payments", Tool = "transfer", MalformedInput = true });

        var decision = decider.Decide(malformed, engine, s_context);

        Assert.Equal(DecisionOutcome.Deny, decision.Outcome);
        Assert.Equal(DecisionSource.Local, decision.Source);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public void The_remote_engine_denies_a_call_the_local_engine_escalates()
    {
        using var decider = Decider();
        _server.Evaluate = _ => ("deny", "remote_rule_7");
        var engine = Engine(EscalatePolicy);
        var local = Local(engine);
        Assert.Equal(DecisionOutcome.Escalate, local.Outcome);

        var decision = decider.Decide(local, engine, s_context);

        Assert.Equal(DecisionOutcome.Deny, decision.Outcome);
        Assert.Equal(DecisionSource.Remote, decision.Source);
        Assert.Equal("remote_rule_7", decision.PrimaryReasonName);
        Assert.Equal(local.Violations, decision.Violations);
        var denied = decision.CreateException(DenialLevels.Decorator, "Ledger.Transfer");
        Assert.Equal("remote_rule_7", denied.Violation);
        Assert.Contains("denied by policy: remote_rule_7", denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_remote_engine_denies_a_call_the_local_engine_allows_with_violations()
    {
        using var decider = Decider();
        _server.Evaluate = _ => ("deny", null);
        var engine = Engine(RecordPolicy);
        var local = Local(engine);
        Assert.Equal(DecisionOutcome.Allow, local.Outcome);

        var decision = decider.Decide(local, engine, s_context);

        Assert.Equal(DecisionOutcome.Deny, decision.Outcome);
        Assert.True(decision.IsBlocked);
        // Without a reason from the remote engine, the local primary reason is reported; the call is blocked for its violations.
        Assert.Equal("tool_not_in_allowlist", decision.PrimaryReasonName);
        Assert.Equal(local.Violations, decision.BlockingReasons);
    }

    /// <summary>Intended: when consulted, the remote engine is authoritative, also when it is more lenient than the local one.</summary>
    [Fact]
    public void The_remote_engine_allows_a_call_the_local_engine_denies()
    {
        using var decider = Decider();
        _server.Evaluate = _ => ("allow", "reviewed_exception");
        var engine = Engine();
        var local = Local(engine);
        Assert.Equal(DecisionOutcome.Deny, local.Outcome);

        var decision = decider.Decide(local, engine, s_context);

        Assert.Equal(DecisionOutcome.Allow, decision.Outcome);
        Assert.False(decision.IsBlocked);
        Assert.Equal(DecisionSource.Remote, decision.Source);
        Assert.Equal("reviewed_exception", decision.PrimaryReasonName);
        Assert.Equal(local.Violations, decision.Violations);
        Assert.True(decision.BlockingReasons.IsEmpty);
    }

    [Fact]
    public void Escalate_escalates()
    {
        using var decider = Decider();
        _server.Evaluate = _ => ("escalate", "needs_finance_review");
        var engine = Engine();

        var decision = decider.Decide(Local(engine), engine, s_context);

        Assert.Equal(DecisionOutcome.Escalate, decision.Outcome);
        Assert.Equal("needs_finance_review", decision.PrimaryReasonName);
        Assert.Contains("requires human approval", decision.CreateException(DenialLevels.Decorator, "Ledger.Transfer").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Clarify_denies_with_its_own_reason()
    {
        using var decider = Decider();
        _server.Evaluate = _ => ("clarify", "which account?");
        var engine = Engine(RecordPolicy);

        var decision = decider.Decide(Local(engine), engine, s_context);

        // Not allow (the TypeScript SDK runs the call): the remote engine wants more before it may run.
        Assert.Equal(DecisionOutcome.Deny, decision.Outcome);
        Assert.Equal(DecisionSource.Remote, decision.Source);
        Assert.Equal(RemoteDecider.ClarifyReason, decision.PrimaryReasonName);
    }

    [Theory]
    [InlineData("deny")]
    [InlineData("escalate")]
    [InlineData("clarify")]
    public void In_observe_mode_a_blocking_remote_answer_is_would_deny(string action)
    {
        using var decider = Decider();
        _server.Evaluate = _ => (action, "remote_says_no");
        var engine = Engine(observe: true);

        var decision = decider.Decide(Local(engine), engine, s_context);

        Assert.Equal(DecisionOutcome.WouldDeny, decision.Outcome);
        Assert.False(decision.IsBlocked);
        Assert.Equal("observe", Assert.Single(Evaluations()).GetProperty("enforcement").GetProperty("mode").GetString());
    }

    [Theory]
    [InlineData(RemoteDecisionFailureMode.Local, DecisionOutcome.Deny, DecisionSource.FallbackLocal, "tool_not_in_allowlist")]
    [InlineData(RemoteDecisionFailureMode.Allow, DecisionOutcome.Allow, DecisionSource.FallbackAllow, RemoteDecider.FallbackAllowReason)]
    [InlineData(RemoteDecisionFailureMode.Deny, DecisionOutcome.Deny, DecisionSource.FallbackDeny, RemoteDecider.FallbackDenyReason)]
    public void A_remote_engine_slower_than_the_budget_leaves_the_decision_to_the_failure_mode(
        RemoteDecisionFailureMode mode, DecisionOutcome outcome, DecisionSource source, string reason)
    {
        _server.Fail(ControlPlaneRoute.Evaluate, new ControlPlaneFault(Delay: TimeSpan.FromSeconds(10)));
        using var decider = Decider(mode, budgetMs: 400);
        var engine = Engine();

        var clock = Stopwatch.StartNew();
        var decision = decider.Decide(Local(engine), engine, s_context);
        clock.Stop();

        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(400) + s_slack, $"the caller waited {clock.Elapsed}");
        Assert.Equal(outcome, decision.Outcome);
        Assert.Equal(source, decision.Source);
        Assert.Equal(reason, decision.PrimaryReasonName);
        // A timeout spends the budget: no time is left for a retry. (On a loaded machine the one attempt may be cancelled
        // before the server logs it, so "at most one" is the claim.)
        Assert.InRange(Evaluations().Count, 0, 1);
        Assert.Contains("did not answer within the budget of 400 ms", Assert.Single(Warnings()), StringComparison.Ordinal);
    }

    [Fact]
    public void Failure_mode_deny_denies_a_call_the_local_engine_would_allow()
    {
        _server.Fail(ControlPlaneRoute.Evaluate, new ControlPlaneFault(Status: 500));
        using var decider = Decider(RemoteDecisionFailureMode.Deny, retries: 0);
        var engine = Engine(RecordPolicy);

        var decision = decider.Decide(Local(engine), engine, s_context);

        Assert.Equal(DecisionOutcome.Deny, decision.Outcome);
        Assert.Equal("fallback-deny", decision.SourceName);
        Assert.Equal(RemoteDecider.FallbackDenyReason, decision.CreateException(DenialLevels.Decorator, "Ledger.Transfer").Violation);
    }

    [Fact]
    public void A_500_is_retried_within_the_budget_and_the_second_answer_decides()
    {
        _server.Fail(ControlPlaneRoute.Evaluate, new ControlPlaneFault(Status: 500), times: 1);
        _server.Evaluate = _ => ("allow", null);
        using var decider = Decider(RemoteDecisionFailureMode.Deny, retries: 1, backoffMs: 50);
        var engine = Engine();

        var decision = decider.Decide(Local(engine), engine, s_context);

        Assert.Equal(DecisionOutcome.Allow, decision.Outcome);
        Assert.Equal(DecisionSource.Remote, decision.Source);
        Assert.Equal(2, Evaluations().Count);
        Assert.Empty(Warnings());
    }

    [Fact]
    public void Retries_stop_at_max_retries()
    {
        _server.Fail(ControlPlaneRoute.Evaluate, new ControlPlaneFault(Status: 503));
        using var decider = Decider(retries: 2, backoffMs: 10);
        var engine = Engine();

        var decision = decider.Decide(Local(engine), engine, s_context);

        Assert.Equal(DecisionSource.FallbackLocal, decision.Source);
        Assert.Equal(3, Evaluations().Count);
        Assert.Contains("After 3 attempt(s)", Assert.Single(Warnings()), StringComparison.Ordinal);
    }

    [Fact]
    public void No_retry_is_started_when_its_backoff_would_end_after_the_deadline()
    {
        _server.Fail(ControlPlaneRoute.Evaluate, new ControlPlaneFault(Status: 503));
        using var decider = Decider(budgetMs: 300, retries: 3, backoffMs: 1000);
        var engine = Engine();

        var clock = Stopwatch.StartNew();
        var decision = decider.Decide(Local(engine), engine, s_context);

        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(300) + s_slack, $"the caller waited {clock.Elapsed}");
        Assert.Equal(DecisionSource.FallbackLocal, decision.Source);
        Assert.Single(Evaluations());
    }

    [Fact]
    public void A_refused_key_is_not_retried_and_says_which_key()
    {
        using var decider = Decider(RemoteDecisionFailureMode.Allow, retries: 3, key: "sec0_wrong_key_0000000000");
        var engine = Engine();

        var decision = decider.Decide(Local(engine), engine, s_context);

        Assert.Equal(DecisionSource.FallbackAllow, decision.Source);
        Assert.Single(Evaluations());
        var warning = Assert.Single(Warnings());
        Assert.Contains("answered 401", warning, StringComparison.Ordinal);
        Assert.Contains("SEC0_RUNTIME_API_KEY", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("sec0_wrong_key", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dropped_connection_is_retried()
    {
        _server.Fail(ControlPlaneRoute.Evaluate, new ControlPlaneFault(Drop: true), times: 1);
        _server.Evaluate = _ => ("deny", "remote_rule_7");
        using var decider = Decider(RemoteDecisionFailureMode.Allow);
        var engine = Engine(RecordPolicy);

        var decision = decider.Decide(Local(engine), engine, s_context);

        Assert.Equal(DecisionOutcome.Deny, decision.Outcome);
        Assert.Equal(DecisionSource.Remote, decision.Source);
        Assert.Equal(2, Evaluations().Count);
    }

    [Fact]
    public void Connections_that_keep_dropping_fall_back_after_the_retries()
    {
        _server.Fail(ControlPlaneRoute.Evaluate, new ControlPlaneFault(Drop: true));
        using var decider = Decider(RemoteDecisionFailureMode.Deny);
        var engine = Engine(RecordPolicy);

        var decision = decider.Decide(Local(engine), engine, s_context);

        Assert.Equal(DecisionOutcome.Deny, decision.Outcome);
        Assert.Equal(DecisionSource.FallbackDeny, decision.Source);
        Assert.Equal(2, Evaluations().Count);
    }

    [Fact]
    public async Task A_remote_engine_that_is_gone_falls_back_at_once()
    {
        var engine = Engine();
        using var decider = Decider(RemoteDecisionFailureMode.Deny, budgetMs: 1000);
        await _server.DisposeAsync();

        var clock = Stopwatch.StartNew();
        var decision = decider.Decide(Local(engine), engine, s_context);

        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(1000) + s_slack, $"the caller waited {clock.Elapsed}");
        Assert.Equal(DecisionSource.FallbackDeny, decision.Source);
        Assert.Contains("is unreachable", Assert.Single(Warnings()), StringComparison.Ordinal);
    }

    [Fact]
    public void A_body_that_is_not_json_is_a_failure_and_not_retried()
    {
        _server.Fail(ControlPlaneRoute.Evaluate, new ControlPlaneFault(BadJson: true));
        using var decider = Decider(RemoteDecisionFailureMode.Allow, retries: 3);
        var engine = Engine();

        var decision = decider.Decide(Local(engine), engine, s_context);

        Assert.Equal(DecisionSource.FallbackAllow, decision.Source);
        Assert.Equal(DecisionOutcome.Allow, decision.Outcome);
        Assert.Single(Evaluations());
        Assert.Contains("not JSON", Assert.Single(Warnings()), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_action_is_a_failure()
    {
        _server.Evaluate = _ => ("maybe", null);
        using var decider = Decider(RemoteDecisionFailureMode.Deny, retries: 3);
        var engine = Engine(RecordPolicy);

        var decision = decider.Decide(Local(engine), engine, s_context);

        Assert.Equal(DecisionSource.FallbackDeny, decision.Source);
        Assert.Single(Evaluations());
        Assert.Contains("allow, deny, escalate or clarify", Assert.Single(Warnings()), StringComparison.Ordinal);
    }

    [Fact]
    public void An_oversized_answer_is_a_failure()
    {
        _server.Fail(ControlPlaneRoute.Evaluate, new ControlPlaneFault(Oversized: true));
        using var decider = Decider(retries: 0);
        var engine = Engine();

        var decision = decider.Decide(Local(engine), engine, s_context);

        Assert.Equal(DecisionSource.FallbackLocal, decision.Source);
        Assert.Contains($"more than {RemoteDecider.MaxResponseBytes} bytes", Assert.Single(Warnings()), StringComparison.Ordinal);
    }

    [Fact]
    public void During_an_outage_failures_are_logged_once_per_interval_and_the_recovery_once()
    {
        _server.Fail(ControlPlaneRoute.Evaluate, new ControlPlaneFault(Status: 500));
        using var decider = Decider(retries: 0);
        var engine = Engine();
        var local = Local(engine);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(DecisionSource.FallbackLocal, decider.Decide(local, engine, s_context).Source);
        }

        Assert.Single(Warnings());
        _server.Heal(ControlPlaneRoute.Evaluate);
        Assert.Equal(DecisionSource.Remote, decider.Decide(local, engine, s_context).Source);
        Assert.Equal(DecisionSource.Remote, decider.Decide(local, engine, s_context).Source);

        var recovered = Assert.Single(_log.Entries, e => e.Level == LogLevel.Information);
        Assert.Contains("answers again (4 failure(s) not logged", recovered.Message, StringComparison.Ordinal);

        // A new outage is reported at once.
        _server.Fail(ControlPlaneRoute.Evaluate, new ControlPlaneFault(Status: 500));
        decider.Decide(local, engine, s_context);
        Assert.Equal(2, Warnings().Count);
    }

    [Fact]
    public async Task The_async_path_decides_the_same_way()
    {
        _server.Evaluate = _ => ("deny", "remote_rule_7");
        using var decider = Decider();
        var engine = Engine(RecordPolicy);

        var decision = await decider.DecideAsync(Local(engine), engine, s_context with { ExecutionLayer = DenialLevels.Middleware });

        Assert.Equal(DecisionOutcome.Deny, decision.Outcome);
        Assert.Equal(DecisionSource.Remote, decision.Source);
        Assert.Equal("middleware", Assert.Single(Evaluations()).GetProperty("context").GetProperty("executionLayer").GetString());
    }

    [Fact]
    public async Task The_async_path_keeps_the_budget_and_retries()
    {
        using var decider = Decider(RemoteDecisionFailureMode.Allow, budgetMs: 400);
        var engine = Engine();
        _server.Fail(ControlPlaneRoute.Evaluate, new ControlPlaneFault(Status: 502), times: 1);
        Assert.Equal(DecisionSource.Remote, (await decider.DecideAsync(Local(engine), engine, s_context)).Source);
        Assert.Equal(2, Evaluations().Count);

        _server.Fail(ControlPlaneRoute.Evaluate, new ControlPlaneFault(Delay: TimeSpan.FromSeconds(10)));
        var clock = Stopwatch.StartNew();
        var decision = await decider.DecideAsync(Local(engine), engine, s_context);

        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(400) + s_slack, $"the caller waited {clock.Elapsed}");
        Assert.Equal(DecisionSource.FallbackAllow, decision.Source);
        Assert.Equal(DecisionOutcome.Allow, decision.Outcome);
    }

    [Fact]
    public async Task The_async_path_stops_when_its_caller_goes_away()
    {
        _server.Fail(ControlPlaneRoute.Evaluate, new ControlPlaneFault(Delay: TimeSpan.FromSeconds(10)));
        using var decider = Decider(budgetMs: 5000);
        var engine = Engine();
        using var caller = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => decider.DecideAsync(Local(engine), engine, s_context, caller.Token));
        Assert.Empty(Warnings());
    }

    [Fact]
    public void An_engine_that_keeps_running_out_of_budget_is_skipped_for_a_while()
    {
        _server.Fail(ControlPlaneRoute.Evaluate, new ControlPlaneFault(Delay: TimeSpan.FromSeconds(10)));
        using var decider = Decider(RemoteDecisionFailureMode.Deny, budgetMs: 200, retries: 0);
        var engine = Engine();
        for (var i = 0; i < RemoteDecider.OutageThreshold; i++)
        {
            Assert.Equal(DecisionSource.FallbackDeny, decider.Decide(Local(engine), engine, s_context).Source);
        }

        var asked = _server.Count(ControlPlaneRoute.Evaluate);
        var clock = Stopwatch.StartNew();
        var skipped = decider.Decide(Local(engine), engine, s_context);
        clock.Stop();

        // The failure mode decides at once, without a request: a hung engine no longer holds each call for the budget.
        Assert.Equal(DecisionSource.FallbackDeny, skipped.Source);
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(150), $"the skipped decision took {clock.Elapsed}");
        Thread.Sleep(200);
        Assert.Equal(asked, _server.Count(ControlPlaneRoute.Evaluate));
    }

    [Fact]
    public void After_dispose_the_local_decision_stands_whatever_the_failure_mode()
    {
        var decider = Decider(RemoteDecisionFailureMode.Allow);
        var engine = Engine();
        decider.Dispose();

        var decision = decider.Decide(Local(engine), engine, s_context);

        // Shutting down must not open the door failureMode: allow would open during an outage.
        Assert.Equal(DecisionOutcome.Deny, decision.Outcome);
        Assert.Equal(DecisionSource.FallbackLocal, decision.Source);
        Assert.Equal(0, _server.Count(ControlPlaneRoute.Evaluate));
    }
}

using System.Diagnostics;
using System.Text.Json;
using Sec0.Audit;
using Sec0.Instrumentation.Tests.Hops;
using Sec0.Instrumentation.Tests.Support;
using Sec0.Signing;

namespace Sec0.Instrumentation.Tests.ControlPlane;

/// <summary>
/// Remote decisions end to end: real <c>[Sec0Hop]</c> calls through their generated interceptors, a <see cref="Sec0App"/>
/// initialized from a <c>sec0.config.yaml</c> with <c>controlPlane.runtime</c>, the reference control plane on 127.0.0.1,
/// and the signed audit log, whose envelopes say which engine decided (<c>decision_source</c>).
/// </summary>
[Collection(nameof(Sec0AppCollection))]
public sealed class RemoteDecisionHopTests : IAsyncLifetime
{
    // Every Ledger hop is a tool outside the allowlist: tool_not_in_allowlist, which denies.
    private const string DenyPolicy = """
        tenant: demo
        tools:
          allowlist: ["mcp://ledger/*@*"]
        enforcement:
          deny_on: [tool_not_in_allowlist]
        """;

    // The same violation, recorded only.
    private const string RecordPolicy = """
        tenant: demo
        tools:
          allowlist: ["mcp://ledger/*@*"]
        """;

    private readonly TempDirectory _dir = new("remote-decisions");
    private readonly Ledger _ledger = new();
    private ReferenceControlPlane _server = null!;

    public async Task InitializeAsync() => _server = await ReferenceControlPlane.StartAsync();

    public async Task DisposeAsync()
    {
        Sec0App.Current?.Dispose();
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    private Sec0App Start(string policy, string failureMode = "local", int timeoutMs = 2000, bool remote = true)
    {
        File.WriteAllText(_dir.Combine("policy.yaml"), policy);
        var runtime = remote
            ? $$"""
                runtime:
                    mode: remote
                    endpoint: {{new Uri(_server.BaseUrl, "/v1/runtime/evaluate")}}
                    failureMode: {{failureMode}}
                    timeoutMs: {{timeoutMs}}
                    maxRetries: 1
                    retryBackoffMs: 50
              """
            : string.Empty;
        File.WriteAllText(_dir.Combine("sec0.config.yaml"), $$"""
            app:
              tenant: demo
              environment: dev
              client: { name: remote-tests, version: "1.0.0" }
              hops:
                Ledger.Transfer: { type: tool, nodeId: payments, server: payments, tool: transfer }
                Ledger.TransferAsync: { type: tool, nodeId: payments, server: payments, tool: transfer-async }
            auth:
              sec0ApiKey: {{_server.ApiKey}}
            policy: ./policy.yaml
            controlPlane:
              sec0Dir: ./.sec0
              localSignerPath: ./.sec0/keys/ed25519.key
            {{runtime}}
            """);
        return Sec0App.Initialize(_dir.Combine("sec0.config.yaml"), new Sec0AppOptions { CreateSigningKeyIfMissing = true });
    }

    private static async Task<JsonElement> EnvelopeAsync(Sec0App app)
    {
        await app.FlushAsync();
        return Assert.Single(
            Directory.GetFiles(app.AuditDirectory, "audit-*.ndjson").SelectMany(File.ReadAllLines).Select(l => JsonDocument.Parse(l).RootElement.Clone()),
            e => !e.TryGetProperty("record", out _));
    }

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var value) ? value.GetString() : null;

    private int Evaluations => _server.Count(ControlPlaneRoute.Evaluate);

    [Fact]
    public async Task A_remote_allow_runs_a_call_the_local_policy_denies_and_the_envelope_says_so()
    {
        _server.Evaluate = _ => ("allow", "reviewed_exception");
        await using var app = Start(DenyPolicy);

        Assert.Equal("sent 250 to acme", _ledger.Transfer("acme", 250m));

        Assert.Equal(1, _ledger.Transfers);
        var e = await EnvelopeAsync(app);
        Assert.Equal("remote", Text(e, "decision_source"));
        Assert.Equal("allow", e.GetProperty("policy").GetProperty("decision").GetString());
        Assert.Equal("reviewed_exception", e.GetProperty("policy").GetProperty("reason").GetString());
        Assert.Equal("reviewed_exception", Text(e, "decision_reason"));
        Assert.Equal(["tool_not_in_allowlist"], e.GetProperty("risk_tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("ok", Text(e, "status"));

        var request = Assert.Single(_server.Requests).Json;
        var context = request.GetProperty("context");
        Assert.Equal("decorator", context.GetProperty("executionLayer").GetString());
        Assert.Equal("payments", context.GetProperty("server").GetString());
        Assert.Equal("transfer", context.GetProperty("tool").GetString());
        Assert.Equal("payments", context.GetProperty("nodeId").GetString());
        // The run id is the envelope's agentRef: the server's decision and the audit line can be joined.
        Assert.Equal(Text(e, "agentRef"), context.GetProperty("runId").GetString());
        Assert.Equal("Ledger.Transfer", request.GetProperty("input").GetProperty("attributes").GetProperty("hop").GetString());
    }

    [Fact]
    public async Task A_remote_deny_stops_a_call_the_local_policy_only_records()
    {
        _server.Evaluate = _ => ("deny", "remote_rule_7");
        await using var app = Start(RecordPolicy);

        var denied = Assert.Throws<Sec0PolicyDeniedException>(() => _ledger.Transfer("acme", 250m));

        Assert.Equal(0, _ledger.Transfers);
        Assert.Equal("remote_rule_7", denied.Violation);
        Assert.Equal(DenialLevels.Decorator, denied.DenialLevel);
        var e = await EnvelopeAsync(app);
        Assert.Equal("remote", Text(e, "decision_source"));
        Assert.Equal("deny", e.GetProperty("policy").GetProperty("decision").GetString());
        Assert.Equal("remote_rule_7", Text(e, "denial_reason"));
        Assert.Equal("decorator", Text(e, "denial_level"));
        Assert.Equal("error", Text(e, "status"));

        // decision_source sorts into the canonical line: the log verifies.
        await app.DisposeAsync();
        using var signer = LocalDevSigner.FromFile(_dir.Combine(".sec0", "keys", "ed25519.key"), _dir.Path);
        using var verifier = signer.CreateVerifier();
        var report = new AuditLogVerifier(verifier).Verify(app.AuditDirectory);
        Assert.True(report.IsIntact, string.Join("\n", report.Problems));
    }

    [Fact]
    public async Task A_clean_call_does_not_reach_the_remote_engine()
    {
        await using var app = Start("tenant: demo\n");

        _ledger.Transfer("acme", 250m);

        Assert.Equal(0, Evaluations);
        var e = await EnvelopeAsync(app);
        Assert.Equal("local", Text(e, "decision_source"));
        Assert.Equal("allow", e.GetProperty("policy").GetProperty("decision").GetString());
    }

    [Fact]
    public async Task Without_remote_decisions_the_envelope_has_no_decision_source()
    {
        await using var app = Start(DenyPolicy, remote: false);

        Assert.Throws<Sec0PolicyDeniedException>(() => _ledger.Transfer("acme", 250m));

        Assert.Equal(0, Evaluations);
        Assert.False((await EnvelopeAsync(app)).TryGetProperty("decision_source", out _));
    }

    [Fact]
    public async Task A_slow_remote_engine_holds_an_async_hop_no_longer_than_the_budget_and_the_local_decision_stands()
    {
        _server.Fail(ControlPlaneRoute.Evaluate, new ControlPlaneFault(Delay: TimeSpan.FromSeconds(10)));
        await using var app = Start(DenyPolicy, failureMode: "local", timeoutMs: 400);

        var clock = Stopwatch.StartNew();
        var denied = await Assert.ThrowsAsync<Sec0PolicyDeniedException>(async () => await _ledger.TransferAsync("acme", 250m));
        clock.Stop();

        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(400 + 1500), $"the caller waited {clock.Elapsed}");
        Assert.Equal("tool_not_in_allowlist", denied.Violation);
        Assert.Equal(0, _ledger.Transfers);
        var e = await EnvelopeAsync(app);
        Assert.Equal("fallback-local", Text(e, "decision_source"));
        Assert.Equal("tool_not_in_allowlist", Text(e, "denial_reason"));
    }

    [Fact]
    public async Task A_dead_remote_engine_leaves_the_call_to_the_failure_mode_and_the_audit_log_goes_on()
    {
        await using var app = Start(DenyPolicy, failureMode: "allow");
        await _server.DisposeAsync();

        Assert.Equal("sent 250 to acme", _ledger.Transfer("acme", 250m));

        var e = await EnvelopeAsync(app);
        Assert.Equal("fallback-allow", Text(e, "decision_source"));
        Assert.Equal("allow", e.GetProperty("policy").GetProperty("decision").GetString());
        Assert.Equal("runtime_remote_unavailable_fallback_allow", e.GetProperty("policy").GetProperty("reason").GetString());
        Assert.Equal("ok", Text(e, "status"));
    }

    [Fact]
    public async Task Failure_mode_deny_stops_the_call_when_the_remote_engine_fails()
    {
        _server.Fail(ControlPlaneRoute.Evaluate, new ControlPlaneFault(Status: 503));
        await using var app = Start(RecordPolicy, failureMode: "deny");

        var denied = Assert.Throws<Sec0PolicyDeniedException>(() => _ledger.Transfer("acme", 250m));

        Assert.Equal("runtime_remote_unavailable_fallback_deny", denied.Violation);
        Assert.Equal(2, Evaluations);
        var e = await EnvelopeAsync(app);
        Assert.Equal("fallback-deny", Text(e, "decision_source"));
        Assert.Equal("runtime_remote_unavailable_fallback_deny", Text(e, "denial_reason"));
    }
}

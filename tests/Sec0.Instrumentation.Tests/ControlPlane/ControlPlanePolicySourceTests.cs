using Microsoft.Extensions.Logging;
using Sec0.Config;
using Sec0.ControlPlane;
using Sec0.Instrumentation.Tests.Signing;
using Sec0.Instrumentation.Tests.Support;
using Sec0.Policy;
using Sec0.Signing;

namespace Sec0.Instrumentation.Tests.ControlPlane;

public sealed class ControlPlanePolicySourceTests : IAsyncLifetime
{
    private const string AllowAll = "tenant: demo\n";
    private const string DenyLedger = "tenant: demo\ntools:\n  allowlist: [\"mcp://ledger/*@*\"]\nenforcement:\n  deny_on: [tool_not_in_allowlist]\n";

    private readonly TempDirectory _dir = new("cp-policy");
    private readonly AuditSigner _signer = TestKeys.NewSigner();
    private readonly CollectingLogger _log = new();
    private ReferenceControlPlane _server = null!;
    private ControlPlaneClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await ReferenceControlPlane.StartAsync();
        _client = Client(_server.ApiKey);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        _signer.Dispose();
        _dir.Dispose();
    }

    private ControlPlaneClient Client(string key) => new(new ControlPlaneClientOptions { BaseUrl = _server.BaseUrl, ApiKey = key, RequestTimeout = TimeSpan.FromMilliseconds(1500) });

    private Task<ControlPlanePolicySource> StartAsync(ControlPlanePolicyConfig? config = null, AuditSigner? signer = null, ControlPlaneClient? client = null, Func<string, string?>? env = null) =>
        ControlPlanePolicySource.StartAsync(client ?? _client, "demo", config ?? new ControlPlanePolicyConfig(), _dir.Path, signer ?? _signer, env ?? (_ => null), TimeProvider.System, _log);

    private string[] Warnings() { lock (_log.Entries) { return [.. _log.Entries.Where(e => e.Level >= LogLevel.Warning).Select(e => e.Message)]; } }

    [Fact]
    public async Task The_first_policy_is_fetched_validated_and_kept_as_the_last_good_one()
    {
        _server.SetPolicy(DenyLedger);
        await using var source = await StartAsync();

        Assert.False(source.Current.FromLastGood);
        Assert.Equal("mcp://ledger/*@*", Assert.Single(source.Current.Policy.Tools.Allowlist!.Patterns).ToString());
        Assert.Equal(Sec0.Audit.Sha256Hex.Of(System.Text.Encoding.UTF8.GetBytes(DenyLedger.Trim())), source.Current.Hash);
        Assert.Equal(DenyLedger, File.ReadAllText(_dir.Combine("policy.yaml")));
        Assert.Contains("\"sig\"", File.ReadAllText(_dir.Combine("policy.json")));
        Assert.Equal("/api/policy/demo?level=middleware", _server.Requests.Single(r => r.Route == ControlPlaneRoute.Policy).PathAndQuery);
    }

    [Fact]
    public async Task A_refresh_sends_the_etag_and_a_304_changes_nothing()
    {
        _server.SetPolicy(AllowAll);
        await using var source = await StartAsync();
        var changes = 0;
        source.OnChanged(_ => changes++);

        Assert.False(await source.RefreshAsync());
        var refresh = _server.Requests.Last(r => r.Route == ControlPlaneRoute.Policy);
        Assert.Equal(source.Current.ETag, refresh.Headers["if-none-match"]);
        Assert.Equal(0, changes);
    }

    [Fact]
    public async Task A_changed_policy_is_applied_and_saved()
    {
        _server.SetPolicy(AllowAll);
        await using var source = await StartAsync();
        ControlPlanePolicySnapshot? seen = null;
        source.OnChanged(s => seen = s);

        _server.SetPolicy(DenyLedger);
        Assert.True(await source.RefreshAsync());

        Assert.Same(source.Current, seen);
        Assert.NotNull(seen!.Policy.Tools.Allowlist);
        Assert.Equal(DenyLedger, File.ReadAllText(_dir.Combine("policy.yaml")));
    }

    [Theory]
    [InlineData("tenant: demo\nenforcement:\n  deny_on: [no_such_reason]\n", "no_such_reason")]
    [InlineData("tenant: other\n", "another tenant's policy")]
    [InlineData("tools: [unclosed\n", "(policy)")]
    public async Task An_invalid_policy_is_rejected_with_its_problems_and_the_previous_one_stays(string bad, string expected)
    {
        _server.SetPolicy(DenyLedger);
        await using var source = await StartAsync();
        var before = source.Current;

        _server.SetPolicy(bad);
        Assert.False(await source.RefreshAsync());

        Assert.Same(before.Policy, source.Current.Policy);
        Assert.Equal(DenyLedger, File.ReadAllText(_dir.Combine("policy.yaml")));
        var warning = Assert.Single(Warnings());
        Assert.Contains("the previous policy (policy_hash " + before.Hash + ") stays in force", warning);
        if (expected != "(policy)")
        {
            Assert.Contains(expected, warning);
        }
    }

    [Fact]
    public async Task A_change_only_a_restart_applies_is_refused_by_the_vet()
    {
        _server.SetPolicy(AllowAll);
        await using var source = await StartAsync();
        source.OnChanged(_ => { }, next => next.Sast.Enabled ? ["sast.enabled changes: restart"] : []);

        _server.SetPolicy("tenant: demo\nsast:\n  enabled: true\n");
        Assert.False(await source.RefreshAsync());
        Assert.False(source.Current.Policy.Sast.Enabled);
        Assert.Contains(Warnings(), w => w.Contains("sast.enabled changes: restart", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(0)]
    public async Task A_failed_refresh_keeps_the_policy_and_warns_once_per_distinct_failure(int status)
    {
        _server.SetPolicy(DenyLedger);
        await using var source = await StartAsync();
        _server.Fail(ControlPlaneRoute.Policy, status == 0 ? new ControlPlaneFault(Drop: true) : new ControlPlaneFault(Status: status));

        for (var i = 0; i < 3; i++)
        {
            Assert.False(await source.RefreshAsync());
        }

        Assert.NotNull(source.Current.Policy.Tools.Allowlist);
        Assert.Single(Warnings());
    }

    [Fact]
    public async Task A_slow_control_plane_does_not_hold_the_policy_back_beyond_the_request_timeout()
    {
        _server.SetPolicy(DenyLedger);
        await using var source = await StartAsync();
        _server.Fail(ControlPlaneRoute.Policy, new ControlPlaneFault(Delay: TimeSpan.FromSeconds(30)));
        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(await source.RefreshAsync());
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), started.Elapsed.ToString());
        Assert.Contains(Warnings(), w => w.Contains("did not answer within 1500 ms", StringComparison.Ordinal));
    }

    [Fact]
    public async Task When_the_control_plane_is_down_at_start_up_the_last_good_policy_is_used()
    {
        _server.SetPolicy(DenyLedger);
        var first = await StartAsync();
        var hash = first.Current.Hash;
        await first.DisposeAsync();

        _server.Fail(ControlPlaneRoute.Policy, new ControlPlaneFault(Status: 503));
        await using var source = await StartAsync();

        Assert.True(source.Current.FromLastGood);
        Assert.Equal(hash, source.Current.Hash);
        Assert.NotNull(source.Current.Policy.Tools.Allowlist);
        Assert.Contains(Warnings(), w => w.Contains("using the last good one", StringComparison.Ordinal));

        // Back up: the next refresh fetches unconditionally and leaves the last-good state.
        _server.Heal(ControlPlaneRoute.Policy);
        await source.RefreshAsync();
        Assert.False(source.Current.FromLastGood);
        Assert.False(_server.Requests.Last(r => r.Route == ControlPlaneRoute.Policy).Headers.ContainsKey("if-none-match"));
    }

    [Fact]
    public async Task Without_a_last_good_policy_a_dead_control_plane_stops_start_up_with_what_to_do()
    {
        _server.Fail(ControlPlaneRoute.Policy, new ControlPlaneFault(Drop: true));
        var ex = await Assert.ThrowsAsync<Sec0PolicyException>(() => StartAsync());
        Assert.Contains("no policy to start with", ex.Message);
        Assert.Contains("there is none yet", ex.Message);
        Assert.Contains("policy: ./policy.yaml", ex.Message);
    }

    [Fact]
    public async Task A_refused_key_is_not_papered_over_with_the_last_good_policy()
    {
        _server.SetPolicy(DenyLedger);
        await (await StartAsync()).DisposeAsync();

        using var wrong = Client("sec0_wrong_key_0000000000");
        var ex = await Assert.ThrowsAsync<ControlPlaneException>(() => StartAsync(client: wrong));
        Assert.Equal(ControlPlaneException.UnauthorizedCode, ex.Code);
        Assert.Contains("verify your SEC0_API_KEY", ex.Message);
    }

    [Theory]
    [InlineData("edit-yaml")]
    [InlineData("edit-meta-tenant")]
    [InlineData("other-key")]
    [InlineData("garbage-meta")]
    public async Task A_tampered_or_foreign_last_good_copy_is_refused_rather_than_enforced(string attack)
    {
        _server.SetPolicy(DenyLedger);
        await (await StartAsync()).DisposeAsync();
        using var otherKey = TestKeys.NewSigner();
        switch (attack)
        {
            case "edit-yaml":
                // The attacker's goal: an allow-everything policy while the control plane is unreachable.
                File.WriteAllText(_dir.Combine("policy.yaml"), AllowAll);
                break;
            case "edit-meta-tenant":
                File.WriteAllText(_dir.Combine("policy.json"), File.ReadAllText(_dir.Combine("policy.json")).Replace("\"demo\"", "\"other\"", StringComparison.Ordinal));
                break;
            case "garbage-meta":
                File.WriteAllText(_dir.Combine("policy.json"), "{\"policy_hash\": 1, \"sig\": [");
                break;
        }

        _server.Fail(ControlPlaneRoute.Policy, new ControlPlaneFault(Status: 500));
        var ex = await Assert.ThrowsAsync<Sec0PolicyException>(() => StartAsync(signer: attack == "other-key" ? otherKey : null));
        Assert.Contains("no last good copy can be used", ex.Message);
    }

    [Fact]
    public async Task An_empty_node_policy_falls_back_to_the_base_policy()
    {
        _server.SetPolicy(DenyLedger);
        _server.SetPolicy("   \n", nodeId: "payments");
        await using var source = await StartAsync(new ControlPlanePolicyConfig { NodeId = "payments" });
        Assert.NotNull(source.Current.Policy.Tools.Allowlist);
        Assert.Equal(["/api/policy/demo?level=middleware&nodeId=payments", "/api/policy/demo?level=middleware"], _server.Requests.Where(r => r.Route == ControlPlaneRoute.Policy).Select(r => r.PathAndQuery));
    }

    [Fact]
    public async Task An_empty_policy_without_fallback_means_no_enforcement_as_in_the_TypeScript_SDK()
    {
        _server.SetPolicy(string.Empty);
        await using var source = await StartAsync(new ControlPlanePolicyConfig { Level = "gateway" });
        Assert.Null(source.Current.Policy.Tools.Allowlist);
        Assert.Equal("/api/policy/demo?level=gateway", _server.Requests.Last().PathAndQuery);
    }

    [Fact]
    public async Task SEC0_DEBUG_POLICY_SYNC_logs_each_step()
    {
        _server.SetPolicy(AllowAll);
        await using var source = await StartAsync(env: name => name == "SEC0_DEBUG_POLICY_SYNC" ? "1" : null);
        await source.RefreshAsync();
        string[] messages;
        lock (_log.Entries)
        {
            messages = [.. _log.Entries.Select(e => e.Message)];
        }

        Assert.Contains(messages, m => m.StartsWith("[sec0][policySync] fetch level=middleware", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("[sec0][policySync] accepted policy_hash", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("[sec0][policySync] not modified", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_empty_answer_after_a_real_policy_is_refused_and_an_empty_policy_is_never_the_last_good_one()
    {
        _server.SetPolicy(DenyLedger);
        await using var source = await StartAsync();

        // A proxy's empty 200 must not drop every rule.
        _server.SetPolicy("  \n");
        Assert.False(await source.RefreshAsync());
        Assert.NotNull(source.Current.Policy.Tools.Allowlist);
        Assert.Contains(Warnings(), w => w.Contains("empty policy, which would turn every rule off", StringComparison.Ordinal));
        Assert.Equal(DenyLedger, File.ReadAllText(_dir.Combine("policy.yaml")));
    }

    [Fact]
    public async Task An_empty_policy_at_start_up_is_used_with_a_warning_but_not_saved()
    {
        _server.SetPolicy(string.Empty);
        await using var source = await StartAsync();
        Assert.Contains(Warnings(), w => w.Contains("policy is empty", StringComparison.Ordinal));
        Assert.False(File.Exists(_dir.Combine("policy.yaml")));
    }
}

using System.Text.Json;
using Sec0.Approvals;
using Sec0.ControlPlane;
using Sec0.Instrumentation.Tests.Hops;
using Sec0.Instrumentation.Tests.Support;

namespace Sec0.Instrumentation.Tests.ControlPlane;

/// <summary>A Sec0 app on a control plane (the reference server on 127.0.0.1), through real <c>[Sec0Hop]</c> calls.</summary>
[Collection(nameof(Sec0AppCollection))]
public sealed class ControlPlaneAppTests : IAsyncLifetime
{
    private const string AllowAll = "tenant: demo\n";

    // Every Ledger hop is a tool outside this allowlist.
    private const string DenyLedger = "tenant: demo\ntools:\n  allowlist: [\"mcp://ledger/*@*\"]\nenforcement:\n  deny_on: [tool_not_in_allowlist]\n";

    private const string EscalateLedger = """
        tenant: demo
        tools:
          allowlist: ["mcp://ledger/*@*"]
        security:
          side_effects:
            approve_high_risk: true
            human_escalation: { approval_set_id: ops }
        enforcement:
          deny_on: [tool_not_in_allowlist]
        """;

    private readonly TempDirectory _dir = new("cp-app");
    private readonly Ledger _ledger = new();
    private ReferenceControlPlane _server = null!;

    public async Task InitializeAsync() => _server = await ReferenceControlPlane.StartAsync();

    public async Task DisposeAsync()
    {
        if (Sec0App.Current is { } app)
        {
            await app.DisposeAsync();
        }

        await _server.DisposeAsync();
        _dir.Dispose();
    }

    private string Config(string? url = null, string? key = null, string policy = "policy: { source: control-plane, refreshTtlMs: 600000 }", string extra = "") => $"""
        app:
          tenant: demo
          environment: dev
          client: {"{"} name: cp-tests, version: "1.0.0" {"}"}
          hops:
            Ledger.Transfer: {"{"} type: tool, nodeId: payments, server: payments, tool: transfer {"}"}
        {policy}
        auth:
          sec0ApiKey: {key ?? _server.ApiKey}
        approvals:
          groups:
            ops:
              - {"{"} user: olga, roles: [ops] {"}"}
        controlPlane:
          apiBaseUrl: {url ?? _server.BaseUrl.AbsoluteUri}
          sec0Dir: ./.sec0
          localSignerPath: ./.sec0/keys/ed25519.key
        {extra}
        """;

    private Task<Sec0App> StartAsync(string config)
    {
        File.WriteAllText(_dir.Combine("sec0.config.yaml"), config);
        return Sec0App.InitializeAsync(_dir.Combine("sec0.config.yaml"), new Sec0AppOptions { CreateSigningKeyIfMissing = true, Environment = _ => null });
    }

    [Fact]
    public async Task A_policy_change_on_the_control_plane_applies_to_the_next_hop_call()
    {
        _server.SetPolicy(AllowAll);
        await using var app = await StartAsync(Config());
        Assert.True(app.ControlPlane!.HierarchyVerified);
        Assert.Equal("sent 5 to acme", _ledger.Transfer("acme", 5m));

        _server.SetPolicy(DenyLedger);
        Assert.True(await app.ControlPlane.Policy!.RefreshAsync());

        var denied = Assert.Throws<Sec0PolicyDeniedException>(() => _ledger.Transfer("acme", 5m));
        Assert.Equal("tool_not_in_allowlist", denied.Violation);
        Assert.Equal(1, _ledger.Transfers);
        Assert.Same(app.ControlPlane.Policy.Current.Policy, app.Policy);

        // Each envelope names the policy that decided it, as the TypeScript SDK's policy_hash does.
        await app.FlushAsync();
        var hops = Directory.GetFiles(app.AuditDirectory, "audit-*.ndjson").SelectMany(File.ReadAllLines)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone()).Where(e => e.TryGetProperty("hop", out _)).ToList();
        Assert.Equal([Sha256Of(AllowAll), Sha256Of(DenyLedger)], hops.Select(e => e.GetProperty("policy_hash").GetString()));
    }

    private static string Sha256Of(string yaml) => Sec0.Audit.Sha256Hex.Of(System.Text.Encoding.UTF8.GetBytes(yaml.Trim()));

    [Fact]
    public async Task A_dead_control_plane_at_start_up_leaves_the_app_on_its_last_good_policy()
    {
        _server.SetPolicy(DenyLedger);
        await (await StartAsync(Config())).DisposeAsync();

        _server.Fail(ControlPlaneRoute.ValidateKey, new ControlPlaneFault(Drop: true));
        _server.Fail(ControlPlaneRoute.Policy, new ControlPlaneFault(Status: 502));
        await using var app = await StartAsync(Config());

        Assert.False(app.ControlPlane!.HierarchyVerified);
        Assert.True(app.ControlPlane.Policy!.Current.FromLastGood);
        Assert.Throws<Sec0PolicyDeniedException>(() => _ledger.Transfer("acme", 5m));

        // Local audit goes on: the denial is in the log.
        await app.FlushAsync();
        Assert.Contains(Directory.GetFiles(app.AuditDirectory, "audit-*.ndjson").SelectMany(File.ReadAllLines), l => l.Contains("\"denial_reason\":\"tool_not_in_allowlist\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_key_stops_start_up_with_the_documented_words_and_leaves_nothing_open()
    {
        _server.SetPolicy(AllowAll);
        var ex = await Assert.ThrowsAsync<ControlPlaneException>(() => StartAsync(Config(key: "sec0_not_the_key_000000")));
        Assert.StartsWith("[sec0] API key validation failed: verify your SEC0_API_KEY is valid and the control plane is reachable", ex.Message);
        Assert.Null(Sec0App.Current);

        // The audit directory was released: a corrected start works.
        await using var app = await StartAsync(Config());
        Assert.NotNull(app.ControlPlane);
    }

    [Theory]
    [InlineData("other-tenant", "the key belongs to tenant \"other-tenant\", but app.tenant is \"demo\"")]
    [InlineData("env", "the key is for environment \"prod\", but app.environment is \"dev\"")]
    public async Task A_key_of_another_tenant_or_environment_is_refused(string wrong, string expected)
    {
        if (wrong == "env")
        {
            _server.Environment = "prod";
        }
        else
        {
            _server.Tenant = wrong;
        }

        var ex = await Assert.ThrowsAsync<ControlPlaneException>(() => StartAsync(Config()));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public async Task A_control_plane_feature_without_a_url_says_how_to_set_one()
    {
        File.WriteAllText(_dir.Combine("sec0.config.yaml"), Config().Replace($"apiBaseUrl: {_server.BaseUrl.AbsoluteUri}", string.Empty, StringComparison.Ordinal));
        var ex = await Assert.ThrowsAsync<ControlPlaneException>(() => Sec0App.InitializeAsync(_dir.Combine("sec0.config.yaml"), new Sec0AppOptions { CreateSigningKeyIfMissing = true, Environment = _ => null }));
        Assert.StartsWith("[sec0] controlPlaneUrl could not be resolved: set SEC0_CONTROL_PLANE_URL or controlPlane.apiBaseUrl", ex.Message);
    }

    [Fact]
    public async Task Without_control_plane_features_or_a_key_nothing_touches_the_network()
    {
        // A URL and a key (the URL may come from a generic API_BASE_URL) but no feature: the key is sent nowhere.
        File.WriteAllText(_dir.Combine("policy.yaml"), AllowAll);
        await using var app = await StartAsync(Config(policy: "policy: ./policy.yaml"));
        Assert.Null(app.ControlPlane);
        _ledger.Transfer("acme", 1m);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task Mirrored_escalations_are_reported_without_their_arguments_and_resolved_by_the_control_plane()
    {
        _server.SetPolicy(EscalateLedger);
        await using var app = await StartAsync(Config(extra: "  escalations: mirror"));

        var denied = Assert.Throws<Sec0PolicyDeniedException>(() => _ledger.Transfer("acme-secret-account", 250m));
        Assert.Equal("pending", denied.EscalationStatus);

        await Eventually(() => !_server.Escalations.IsEmpty);
        var reported = _server.Escalations.Values.Single().Body;
        var body = reported.GetRawText();
        Assert.Equal("tool_not_in_allowlist", reported.GetProperty("violation").GetString());
        Assert.Equal(denied.EscalationId, reported.GetProperty("metadata").GetProperty("local_escalation_id").GetString());
        Assert.Equal("ops", reported.GetProperty("approval_set_id").GetString());
        Assert.DoesNotContain("acme-secret-account", body, StringComparison.Ordinal);
        Assert.Equal("/api/escalations?tenant=demo", _server.Requests.First(r => r.Route == ControlPlaneRoute.EscalationCreate).PathAndQuery);

        var remoteId = _server.Escalations.Keys.Single();
        _server.SetEscalationStatus(remoteId, "approved");
        var grant = await app.Approvals!.WaitForApprovalAsync(denied.EscalationId!, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(grant.Approved);
        Assert.Equal(EscalationResolution.ControlPlane, grant.Escalation.Resolution);

        // The approval works like a local one: the retry runs once.
        using (Sec0Approvals.UseToken(grant.Token!))
        {
            Assert.Equal("sent 250 to acme-secret-account", _ledger.Transfer("acme-secret-account", 250m));
        }

        await app.FlushAsync();
        Assert.Contains(Directory.GetFiles(app.AuditDirectory, "audit-*.ndjson").SelectMany(File.ReadAllLines), l => l.Contains("control_plane", StringComparison.Ordinal) && l.Contains(denied.EscalationId!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failing_escalation_report_is_retried_and_never_changes_the_local_outcome()
    {
        _server.SetPolicy(EscalateLedger);
        _server.Fail(ControlPlaneRoute.EscalationCreate, new ControlPlaneFault(Status: 503), times: 2);
        await using var app = await StartAsync(Config(extra: "  escalations: mirror"));

        var denied = Assert.Throws<Sec0PolicyDeniedException>(() => _ledger.Transfer("acme", 1m));
        Assert.Equal("pending", denied.EscalationStatus);
        await Eventually(() => !_server.Escalations.IsEmpty);
        Assert.True(_server.Count(ControlPlaneRoute.EscalationCreate) >= 3);

        // A local vote still decides; the mirror stops polling a resolved escalation.
        var vote = await app.Approvals!.VoteAsync(denied.EscalationId!, "olga", "ops", ApprovalDecision.Reject, "no", CancellationToken.None);
        Assert.True(vote.Accepted);
        Assert.Equal(EscalationStatus.Rejected, vote.Escalation!.Status);
    }

    [Fact]
    public async Task Closed_day_files_are_uploaded_and_kept_past_retention_until_the_upload_is_confirmed()
    {
        File.WriteAllText(_dir.Combine("policy.yaml"), AllowAll);
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var config = Config(policy: "policy: ./policy.yaml", extra: "  retentionDays: 1\n  auditUpload: { enabled: true, intervalMs: 3600000 }");
        File.WriteAllText(_dir.Combine("sec0.config.yaml"), config);

        // The storage refuses every upload: the day files must outlive their retention.
        _server.Fail(ControlPlaneRoute.Upload, new ControlPlaneFault(Status: 503));
        await using (var app = await Sec0App.InitializeAsync(_dir.Combine("sec0.config.yaml"), new Sec0AppOptions { CreateSigningKeyIfMissing = true, Environment = _ => null, TimeProvider = time }))
        {
            _ledger.Transfer("acme", 1m);
            for (var day = 0; day < 3; day++)
            {
                time.Advance(TimeSpan.FromDays(1));
                _ledger.Transfer("acme", 1m);
                await app.FlushAsync();
            }

            await app.ControlPlane!.AuditUpload!.UploadPendingAsync();
            Assert.Empty(_server.Objects);
            Assert.Equal(4, Directory.GetFiles(app.AuditDirectory, "audit-*.ndjson").Length);
        }

        // Next start, storage back: the closed files go up byte for byte, and then retention may delete them.
        _server.Heal(ControlPlaneRoute.Upload);
        var logs = _dir.Combine(".sec0", "logs");
        var closed = Directory.GetFiles(logs, "audit-*.ndjson").Order(StringComparer.Ordinal).SkipLast(1).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
        await using (var app = await Sec0App.InitializeAsync(_dir.Combine("sec0.config.yaml"), new Sec0AppOptions { CreateSigningKeyIfMissing = true, Environment = _ => null, TimeProvider = time }))
        {
            await app.ControlPlane!.AuditUpload!.UploadPendingAsync();
            foreach (var (name, bytes) in closed)
            {
                var date = name["audit-".Length..^".ndjson".Length];
                var uploaded = _server.Objects.Single(o => o.Key.Contains($"/ingest/{date}/", StringComparison.Ordinal));
                Assert.StartsWith("tenants/demo/dev/clients/demo-agents/1.0.0/ingest/", uploaded.Key, StringComparison.Ordinal);
                Assert.Equal(bytes, uploaded.Value);
            }

            time.Advance(TimeSpan.FromDays(1));
            _ledger.Transfer("acme", 1m);
            await app.FlushAsync();
        }

        Assert.DoesNotContain(Directory.GetFiles(logs, "audit-*.ndjson").Select(f => Path.GetFileName(f)), closed.ContainsKey);
    }

    private static async Task Eventually(Func<bool> probe)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (probe())
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("The condition did not become true within 30 s.");
    }
}

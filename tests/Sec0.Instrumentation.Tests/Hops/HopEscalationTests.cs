using System.Text;
using System.Text.Json;
using Sec0.Approvals;
using Sec0.Audit;
using Sec0.Config;
using Sec0.Instrumentation.Tests.Support;
using Sec0.Signing;

namespace Sec0.Instrumentation.Tests.Hops;

/// <summary>
/// Escalated <c>[Sec0Hop]</c> calls through their generated interceptors and the real approvals (files, tokens, audit
/// log): the call is refused with its escalation, a reviewer approves, and the retry inside
/// <see cref="Sec0Approvals.UseToken"/> runs once; every other use of the token is refused and recorded.
/// </summary>
[Collection(nameof(Sec0AppCollection))]
public sealed class HopEscalationTests : IDisposable
{
    // Every Ledger hop is a tool outside the allowlist; deny_on with approve_high_risk makes that an escalation.
    private const string Policy = """
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

    private const string Config = """
        app:
          tenant: demo
          environment: dev
          client: { name: escalation-tests, version: "1.0.0" }
          hops:
            Ledger.Transfer: { type: tool, nodeId: payments, server: payments, tool: transfer }
            Ledger.TransferAsync: { type: tool, nodeId: payments, server: payments, tool: transfer-async }
            Ledger.Refund: { type: tool, nodeId: payments, server: payments, tool: refund }
            Ledger.TransferAndNotify: { type: tool, nodeId: payments, server: payments, tool: transfer-and-notify }
            Ledger.Notify: { type: tool, nodeId: payments, server: payments, tool: notify }
        policy: ./policy.yaml
        approvals:
          groups:
            ops:
              - { user: olga, roles: [ops] }
        controlPlane:
          sec0Dir: ./.sec0
          localSignerPath: ./.sec0/keys/ed25519.key
        """;

    private const string TransferArguments = """{"account":"acme","amount":250}""";

    private readonly TempDirectory _dir = new("hop-escalation");
    private readonly Ledger _ledger = new();

    public void Dispose()
    {
        Sec0App.Current?.Dispose();
        _dir.Dispose();
    }

    private Sec0App Start(bool withApprovals = true, string policy = Policy, string config = Config)
    {
        File.WriteAllText(_dir.Combine("policy.yaml"), policy);
        File.WriteAllText(_dir.Combine("sec0.config.yaml"), config);
        var loaded = Sec0ConfigLoader.Load(_dir.Combine("sec0.config.yaml"), new Sec0ConfigLoadOptions { CheckSigningKeyExists = false });

        // A config built in code without an approvals block: what "approvals not configured" means for an app.
        return Sec0App.Initialize(withApprovals ? loaded : loaded with { Approvals = null }, new Sec0AppOptions { CreateSigningKeyIfMissing = true });
    }

    private static async Task<string> ApproveAsync(Sec0App app, string escalationId)
    {
        // The agent waits while the reviewer decides (WaitForApprovalAsync polls the store).
        var wait = app.Approvals!.WaitForApprovalAsync(escalationId, CancellationToken.None);
        var vote = await app.Approvals.VoteAsync(escalationId, "olga", "ops", ApprovalDecision.Approve, "ok", CancellationToken.None);
        Assert.True(vote.Accepted);
        var grant = await wait.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(grant.Approved);
        return grant.Token!;
    }

    private static async Task<List<JsonElement>> EnvelopesAsync(Sec0App app)
    {
        await app.FlushAsync();
        return [.. Directory.GetFiles(app.AuditDirectory, "audit-*.ndjson").Order(StringComparer.Ordinal).SelectMany(File.ReadAllLines)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone()).Where(e => !e.TryGetProperty("record", out _))];
    }

    private static List<JsonElement> HopEnvelopes(List<JsonElement> envelopes, string tool)
        => envelopes.Where(e => e.GetProperty("node_type").GetString() == "tool" && e.GetProperty("tool").GetString() == tool).ToList();

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var value) ? value.GetString() : null;

    private static string Sha256(string canonical) => Sha256Hex.Of(Encoding.UTF8.GetBytes(canonical));

    [Fact]
    public async Task An_escalated_hop_is_refused_with_its_escalation_bound_to_its_arguments_and_its_envelope_names_it()
    {
        await using var app = Start();
        Assert.NotNull(app.Approvals);

        var denied = Assert.Throws<Sec0PolicyDeniedException>(() => _ledger.Transfer("acme", 250m));

        Assert.Equal(0, _ledger.Transfers);
        Assert.Equal(Sec0PolicyDeniedException.ErrorCode, denied.Code);
        Assert.Equal("tool_not_in_allowlist", denied.Violation);
        Assert.Equal(DenialLevels.Decorator, denied.DenialLevel);
        Assert.Matches("^esc_[0-9a-f]{32}$", denied.EscalationId);
        Assert.Equal("pending", denied.EscalationStatus);
        Assert.Contains(denied.EscalationId!, denied.Message, StringComparison.Ordinal);
        Assert.Contains("Sec0Approvals.UseToken", denied.Message, StringComparison.Ordinal);

        // The escalation is bound to the hop's tenant, tool ref, node and the SHA-256 of its canonical arguments.
        var escalation = (await app.Approvals.GetAsync(denied.EscalationId!, CancellationToken.None))!;
        Assert.Equal("demo", escalation.Request.Tenant);
        Assert.Equal("tool://payments/transfer", escalation.Request.ToolRef);
        Assert.Equal("payments", escalation.Request.NodeId);
        Assert.Equal(TransferArguments, escalation.Request.Arguments);
        Assert.Equal(Sha256(TransferArguments), escalation.Request.ArgumentsSha256);
        Assert.Equal(DenialLevels.Decorator, escalation.Request.Layer);

        var envelopes = await EnvelopesAsync(app);
        var hop = Assert.Single(HopEnvelopes(envelopes, "transfer"));
        Assert.Equal(denied.EscalationId, Text(hop, "escalation_id"));
        Assert.Equal("pending", Text(hop, "escalation_status"));
        Assert.Equal("escalation", Text(hop, "denial_type"));
        Assert.Equal("tool_not_in_allowlist", Text(hop, "denial_reason"));
        Assert.Equal("escalate", hop.GetProperty("policy").GetProperty("decision").GetString());
        Assert.Equal("error", Text(hop, "status"));
        Assert.Equal(Sha256(TransferArguments), Text(hop, "input_sha256"));
        Assert.Equal(escalation.Request.TraceId, Text(hop, "trace_id"));
        Assert.Contains(envelopes, e => Text(e, "op") == "approval.created" && Text(e, "escalation_id") == denied.EscalationId);
    }

    [Fact]
    public async Task Without_approvals_an_escalated_hop_is_refused_as_before_without_an_escalation()
    {
        await using var app = Start(withApprovals: false);
        Assert.Null(app.Approvals);

        var denied = Assert.Throws<Sec0PolicyDeniedException>(() => _ledger.Transfer("acme", 250m));

        Assert.Equal(0, _ledger.Transfers);
        Assert.Equal("tool_not_in_allowlist", denied.Violation);
        Assert.Null(denied.EscalationId);
        Assert.Null(denied.EscalationStatus);
        var hop = Assert.Single(HopEnvelopes(await EnvelopesAsync(app), "transfer"));
        Assert.Equal("escalate", hop.GetProperty("policy").GetProperty("decision").GetString());
        Assert.False(hop.TryGetProperty("escalation_id", out _));
        Assert.False(hop.TryGetProperty("escalation_status", out _));
        // Nothing was hashed: the member is there (as in every envelope) but null.
        Assert.Equal(JsonValueKind.Null, hop.GetProperty("input_sha256").ValueKind);
        Assert.False(Directory.Exists(_dir.Combine(".sec0", "approvals")));
    }

    [Fact]
    public async Task An_approved_hop_runs_once_with_its_token_and_a_second_use_is_refused_and_recorded()
    {
        string auditDirectory;
        string escalationId;
        await using (var app = Start())
        {
            auditDirectory = app.AuditDirectory;
            escalationId = Assert.Throws<Sec0PolicyDeniedException>(() => _ledger.Transfer("acme", 250m)).EscalationId!;
            var token = await ApproveAsync(app, escalationId);

            string result;
            using (Sec0Approvals.UseToken(token))
            {
                result = _ledger.Transfer("acme", 250m);
            }

            Assert.Equal("sent 250 to acme", result);
            Assert.Equal(1, _ledger.Transfers);

            Sec0PolicyDeniedException reused;
            using (Sec0Approvals.UseToken(token))
            {
                reused = Assert.Throws<Sec0PolicyDeniedException>(() => _ledger.Transfer("acme", 250m));
            }

            Assert.Equal(1, _ledger.Transfers);
            Assert.Equal(Sec0PolicyDeniedException.ApprovalTokenRefusedCode, reused.Code);
            Assert.Equal("approval_token_already_used", reused.Violation);
            Assert.Equal(escalationId, reused.EscalationId);
            Assert.Equal("approved", reused.EscalationStatus);

            // Outside a scope the token is not presented: the same call escalates again, as a new escalation.
            var again = Assert.Throws<Sec0PolicyDeniedException>(() => _ledger.Transfer("acme", 250m));
            Assert.NotEqual(escalationId, again.EscalationId);
            Assert.Equal("pending", again.EscalationStatus);
            Assert.Equal(1, _ledger.Transfers);

            var envelopes = await EnvelopesAsync(app);
            var hops = HopEnvelopes(envelopes, "transfer");
            Assert.Equal(4, hops.Count);
            var ran = Assert.Single(hops, e => Text(e, "status") == "ok");
            Assert.Equal(escalationId, Text(ran, "escalation_id"));
            Assert.Equal("approved", Text(ran, "escalation_status"));
            Assert.Equal("escalate", ran.GetProperty("policy").GetProperty("decision").GetString());
            Assert.False(ran.TryGetProperty("denial_type", out _));
            Assert.False(ran.TryGetProperty("denial_reason", out _));
            var refused = Assert.Single(hops, e => Text(e, "denial_reason") == "approval_token_already_used");
            Assert.Equal(escalationId, Text(refused, "escalation_id"));
            Assert.Equal("approval_token_already_used", refused.GetProperty("policy").GetProperty("reason").GetString());
            Assert.Single(envelopes, e => Text(e, "op") == "approval.token_used" && Text(e, "escalation_id") == escalationId);
            var recorded = Assert.Single(envelopes, e => Text(e, "op") == "approval.token_refused");
            Assert.Equal("already_used", recorded.GetProperty("approval").GetProperty("refusal").GetString());
            Assert.Equal(Sha256(TransferArguments), recorded.GetProperty("approval").GetProperty("arguments_sha256").GetString());
        }

        // Everything, the approvals' records included, is one signed chain.
        using var signer = LocalDevSigner.FromFile(_dir.Combine(".sec0", "keys", "ed25519.key"), _dir.Path);
        using var verifier = signer.CreateVerifier();
        var report = new AuditLogVerifier(verifier).Verify(auditDirectory);
        Assert.True(report.IsIntact, string.Join("\n", report.Problems));
    }

    [Fact]
    public async Task A_token_presented_with_other_arguments_or_another_hop_is_refused_recorded_and_stays_valid()
    {
        await using var app = Start();
        var escalationId = Assert.Throws<Sec0PolicyDeniedException>(() => _ledger.Transfer("acme", 250m)).EscalationId!;
        var token = await ApproveAsync(app, escalationId);

        using (Sec0Approvals.UseToken(token))
        {
            var otherArguments = Assert.Throws<Sec0PolicyDeniedException>(() => _ledger.Transfer("acme", 999m));
            Assert.Equal(Sec0PolicyDeniedException.ApprovalTokenRefusedCode, otherArguments.Code);
            Assert.Equal("approval_token_other_call", otherArguments.Violation);

            var otherHop = Assert.Throws<Sec0PolicyDeniedException>(() => _ledger.Refund("acme", 250m));
            Assert.Equal("approval_token_other_call", otherHop.Violation);
            Assert.Equal(escalationId, otherHop.EscalationId);
            Assert.Equal(0, _ledger.Transfers);
            Assert.Equal(0, _ledger.Refunds);

            // Refusals do not spend it: the call it was approved for still runs, in the same scope.
            Assert.Equal("sent 250 to acme", _ledger.Transfer("acme", 250m));
            Assert.Equal(1, _ledger.Transfers);
        }

        var envelopes = await EnvelopesAsync(app);
        var refusals = envelopes.Where(e => Text(e, "op") == "approval.token_refused").ToList();
        Assert.Equal(2, refusals.Count);
        Assert.All(refusals, e => Assert.Equal("other_call", e.GetProperty("approval").GetProperty("refusal").GetString()));
        Assert.Contains(refusals, e => e.GetProperty("approval").GetProperty("arguments_sha256").GetString() == Sha256("""{"account":"acme","amount":999}"""));
        Assert.Contains(refusals, e => Text(e, "tool_ref") == "tool://payments/refund");
        Assert.Single(HopEnvelopes(envelopes, "refund"), e => Text(e, "denial_reason") == "approval_token_other_call");
        Assert.Single(HopEnvelopes(envelopes, "transfer"), e => Text(e, "denial_reason") == "approval_token_other_call");
    }

    [Fact]
    public async Task An_escalated_async_hop_faults_its_task_and_runs_once_with_its_token()
    {
        await using var app = Start();
        using var cancellation = new CancellationTokenSource();

        // The denial is the task's fault, not a synchronous throw; the CancellationToken is not an argument.
        var task = _ledger.TransferAsync("acme", 250m, cancellation.Token);
        var denied = await Assert.ThrowsAsync<Sec0PolicyDeniedException>(() => task);
        Assert.Equal("pending", denied.EscalationStatus);
        Assert.Equal(0, _ledger.Transfers);
        var escalation = (await app.Approvals!.GetAsync(denied.EscalationId!, CancellationToken.None))!;
        Assert.Equal(TransferArguments, escalation.Request.Arguments);

        var token = await ApproveAsync(app, denied.EscalationId!);
        string result;
        using (Sec0Approvals.UseToken(token))
        {
            result = await _ledger.TransferAsync("acme", 250m, CancellationToken.None);
        }

        Assert.Equal("sent 250 to acme", result);
        Assert.Equal(1, _ledger.Transfers);

        using (Sec0Approvals.UseToken(token))
        {
            var reused = await Assert.ThrowsAsync<Sec0PolicyDeniedException>(() => _ledger.TransferAsync("acme", 250m));
            Assert.Equal("approval_token_already_used", reused.Violation);
        }

        Assert.Equal(1, _ledger.Transfers);
        var hops = HopEnvelopes(await EnvelopesAsync(app), "transfer-async");
        Assert.Equal(3, hops.Count);
        Assert.Equal(denied.EscalationId, Text(Assert.Single(hops, e => Text(e, "status") == "ok"), "escalation_id"));
    }

    [Fact]
    public async Task A_hop_the_approved_call_makes_gets_an_escalation_of_its_own_rather_than_the_spent_token()
    {
        await using var app = Start();
        var escalationId = Assert.Throws<Sec0PolicyDeniedException>(() => _ledger.TransferAndNotify("acme", 250m)).EscalationId!;
        var token = await ApproveAsync(app, escalationId);

        Sec0PolicyDeniedException inner;
        using (Sec0Approvals.UseToken(token))
        {
            inner = Assert.Throws<Sec0PolicyDeniedException>(() => _ledger.TransferAndNotify("acme", 250m));
        }

        // The approved body ran once; the hop it called escalated for itself.
        Assert.Equal(1, _ledger.Transfers);
        Assert.Equal(0, _ledger.Notifications);
        Assert.Equal(Sec0PolicyDeniedException.ErrorCode, inner.Code);
        Assert.Equal("tool_not_in_allowlist", inner.Violation);
        Assert.NotEqual(escalationId, inner.EscalationId);
        Assert.Equal("pending", inner.EscalationStatus);
        var notify = (await app.Approvals!.GetAsync(inner.EscalationId!, CancellationToken.None))!;
        Assert.Equal("tool://payments/notify", notify.Request.ToolRef);
        Assert.Equal("""{"account":"acme"}""", notify.Request.Arguments);
        Assert.NotNull((await app.Approvals.GetAsync(escalationId, CancellationToken.None))!.TokenUsedAt);
    }

    [Fact]
    public async Task A_malformed_token_is_refused_as_invalid_and_recorded()
    {
        await using var app = Start();

        using (Sec0Approvals.UseToken("s0at_esc_00000000000000000000000000000000.forged"))
        {
            var refused = Assert.Throws<Sec0PolicyDeniedException>(() => _ledger.Transfer("acme", 250m));
            Assert.Equal("approval_token_invalid", refused.Violation);
            Assert.Null(refused.EscalationId);
        }

        Assert.Equal(0, _ledger.Transfers);
        var envelopes = await EnvelopesAsync(app);
        Assert.Single(envelopes, e => Text(e, "op") == "approval.token_refused" && e.GetProperty("approval").GetProperty("refusal").GetString() == "invalid");
        Assert.Single(HopEnvelopes(envelopes, "transfer"), e => Text(e, "denial_reason") == "approval_token_invalid");
    }

    [Fact]
    public async Task Without_a_reviewer_group_the_escalation_ends_at_once_and_the_denial_says_so()
    {
        await using var app = Start(config: Config.Replace("approvals:\n  groups:\n    ops:\n      - { user: olga, roles: [ops] }\n", "", StringComparison.Ordinal));

        var denied = Assert.Throws<Sec0PolicyDeniedException>(() => _ledger.Transfer("acme", 250m));

        Assert.Equal("no_approvers_configured", denied.EscalationStatus);
        Assert.DoesNotContain("wait for it", denied.Message, StringComparison.Ordinal);
        Assert.Equal(0, _ledger.Transfers);
        var hop = Assert.Single(HopEnvelopes(await EnvelopesAsync(app), "transfer"));
        Assert.Equal("no_approvers_configured", Text(hop, "escalation_status"));
    }

    [Fact]
    public async Task With_auto_allow_the_escalated_hop_runs_at_once_and_is_recorded_as_approved()
    {
        await using var app = Start(policy: Policy.Replace("{ approval_set_id: ops }", "{ approval_strategy: auto_allow }", StringComparison.Ordinal));

        Assert.Equal("sent 250 to acme", _ledger.Transfer("acme", 250m));

        Assert.Equal(1, _ledger.Transfers);
        var envelopes = await EnvelopesAsync(app);
        var hop = Assert.Single(HopEnvelopes(envelopes, "transfer"));
        Assert.Equal("ok", Text(hop, "status"));
        Assert.Equal("approved", Text(hop, "escalation_status"));
        Assert.Contains(envelopes, e => Text(e, "op") == "approval.token_used" && Text(e, "escalation_id") == Text(hop, "escalation_id"));
    }

    [Fact]
    public async Task A_bad_escalation_timeout_fails_at_start_up_and_leaves_nothing_open()
    {
        File.WriteAllText(_dir.Combine("policy.yaml"), Policy);
        File.WriteAllText(_dir.Combine("sec0.config.yaml"), Config);
        var options = new Sec0AppOptions { CreateSigningKeyIfMissing = true, Environment = name => name == "SEC0_ESCALATION_TIMEOUT_MS" ? "soon" : null };

        var ex = Assert.Throws<Sec0ConfigException>(() => Sec0App.Initialize(_dir.Combine("sec0.config.yaml"), options));

        Assert.Contains("SEC0_ESCALATION_TIMEOUT_MS is \"soon\"", ex.Message, StringComparison.Ordinal);
        Assert.Null(Sec0App.Current);
        await using var app = Start();
        Assert.NotNull(app.Approvals);
    }
}

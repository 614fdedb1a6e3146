using System.Text.Json;
using Sec0.Approvals;
using Sec0.Audit;
using Sec0.Instrumentation.Tests.Support;
using Sec0.Signing;

namespace Sec0.Instrumentation.Tests.Approvals;

/// <summary>
/// <see cref="ApprovalService"/> over a real <see cref="FileEscalationStore"/> folder and a real signed audit log:
/// escalations, votes, timeouts, tokens and the records that prove who approved what. Two service instances over
/// one folder stand for two processes.
/// </summary>
public sealed class ApprovalServiceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly string ArgsHash = new('a', 64);

    private readonly TempDirectory _dir = new("approvals");
    private readonly ManualTimeProvider _clock = new(T0);
    private readonly AuditSigner _signer = TestKeys.NewSigner();
    private readonly ApproverGroups _groups = new(
        new Dictionary<string, IReadOnlyList<Reviewer>>
        {
            ["payments"] = [new("alice", ["finance"]), new("bob", ["security"]), new("carol", ["finance", "security"]), new("erin", ["legal"])],
            ["big"] = [.. Enumerable.Range(0, 20).Select(i => new Reviewer($"r{i}", ["ops"]))],
        },
        defaultGroup: "payments");

    private AuditAppender _audit = null!;
    private ApprovalService _service = null!;

    private string StoreDir => _dir.Combine("approvals");

    private string AuditDir => _dir.Combine("audit");

    public Task InitializeAsync()
    {
        _audit = AuditAppender.Open(new AuditAppenderOptions { Directory = AuditDir, Signer = _signer, TimeProvider = _clock });
        _service = NewService(_audit);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        await _audit.DisposeAsync();
        _signer.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_single_approver_approves_and_the_token_runs_the_same_call_once()
    {
        var escalation = await _service.CreateAsync(Request(), default);
        Assert.Equal(EscalationStatus.Pending, escalation.Status);
        Assert.Null(_service.TokenFor(escalation));

        var vote = await _service.VoteAsync(escalation.Id, "alice", "finance", ApprovalDecision.Approve, "ok for today", default);
        Assert.True(vote.Accepted);
        Assert.Equal(EscalationStatus.Approved, vote.Escalation!.Status);

        var token = _service.TokenFor(vote.Escalation)!;
        Assert.StartsWith("s0at_" + escalation.Id + ".", token, StringComparison.Ordinal);
        Assert.Equal(TokenRefusal.None, (await _service.RedeemAsync(token, Binding(), default)).Refusal);
        Assert.Equal(TokenRefusal.AlreadyUsed, (await _service.RedeemAsync(token, Binding(), default)).Refusal);
        Assert.Null(_service.TokenFor((await _service.GetAsync(escalation.Id, default))!));

        // A late vote is refused and recorded.
        Assert.Equal(VoteRefusal.AlreadyResolved, (await _service.VoteAsync(escalation.Id, "bob", "security", ApprovalDecision.Reject, null, default)).Refusal);

        var records = await RecordsAsync();
        Assert.Equal(
            ["approval.created", "approval.vote", "approval.resolved", "approval.token_used", "approval.token_refused", "approval.vote_refused"],
            records.Select(r => r.GetProperty("op").GetString()));
        var voteRecord = records[1].GetProperty("approval");
        Assert.Equal("alice", voteRecord.GetProperty("user").GetString());
        Assert.Equal("finance", voteRecord.GetProperty("role").GetString());
        Assert.Equal("approve", voteRecord.GetProperty("decision").GetString());
        Assert.Equal("ok for today", voteRecord.GetProperty("note").GetString());
        var resolved = records[2];
        Assert.Equal("approved", resolved.GetProperty("escalation_status").GetString());
        Assert.Equal(escalation.Id, resolved.GetProperty("escalation_id").GetString());
        Assert.Equal("alice", resolved.GetProperty("approval").GetProperty("votes")[0].GetProperty("user").GetString());
        Assert.Equal("already_used", records[4].GetProperty("approval").GetProperty("refusal").GetString());
        Assert.Equal("already_resolved", records[5].GetProperty("approval").GetProperty("refusal").GetString());
    }

    [Fact]
    public async Task A_token_is_refused_for_another_call_a_forged_token_or_an_unapproved_escalation_and_each_refusal_is_recorded()
    {
        var escalation = await _service.CreateAsync(Request(), default);
        var approved = (await _service.VoteAsync(escalation.Id, "carol", "security", ApprovalDecision.Approve, null, default)).Escalation!;
        var token = _service.TokenFor(approved)!;

        Assert.Equal(TokenRefusal.OtherCall, (await _service.RedeemAsync(token, Binding() with { ArgumentsSha256 = new string('b', 64) }, default)).Refusal);
        Assert.Equal(TokenRefusal.OtherCall, (await _service.RedeemAsync(token, Binding() with { ToolRef = "mcp://payments/refund@1.0.0" }, default)).Refusal);
        Assert.Equal(TokenRefusal.OtherCall, (await _service.RedeemAsync(token, Binding() with { Tenant = "other" }, default)).Refusal);
        Assert.Equal(TokenRefusal.OtherCall, (await _service.RedeemAsync(token, Binding() with { NodeId = "other-agent" }, default)).Refusal);

        // Forged: another MAC, another secret, another escalation id with the same MAC, nonsense.
        var forged = token[..^2] + (token[^2] == 'A' ? "BB" : "AA");
        Assert.Equal(TokenRefusal.Invalid, (await _service.RedeemAsync(forged, Binding(), default)).Refusal);
        var otherSecret = new ApprovalTokens(new byte[32]).For(escalation.Id);
        Assert.Equal(TokenRefusal.Invalid, (await _service.RedeemAsync(otherSecret, Binding(), default)).Refusal);
        Assert.Equal(TokenRefusal.Invalid, (await _service.RedeemAsync(token.Replace(escalation.Id, EscalationIds.New(), StringComparison.Ordinal), Binding(), default)).Refusal);
        Assert.Equal(TokenRefusal.Invalid, (await _service.RedeemAsync("s0at_../../etc/passwd.x", Binding(), default)).Refusal);
        Assert.Equal(TokenRefusal.Invalid, (await _service.RedeemAsync("", Binding(), default)).Refusal);
        Assert.Equal(TokenRefusal.Invalid, (await _service.RedeemAsync(new string('x', 100_000), Binding(), default)).Refusal);

        // The refusals did not spend it: the escalated call itself still runs, once.
        Assert.True((await _service.RedeemAsync(token, Binding(), default)).Accepted);

        var rejected = await _service.CreateAsync(Request(), default);
        await _service.VoteAsync(rejected.Id, "bob", "security", ApprovalDecision.Reject, null, default);
        Assert.Equal(TokenRefusal.NotApproved, (await _service.RedeemAsync(NewTokens().For(rejected.Id), Binding(), default)).Refusal);

        var refusals = (await RecordsAsync()).Where(r => r.GetProperty("op").GetString() == "approval.token_refused").ToList();
        Assert.Equal(11, refusals.Count);
        Assert.All(refusals, r => Assert.Equal("error", r.GetProperty("status").GetString()));
        Assert.Equal(["other_call", "other_call", "other_call", "other_call", "invalid", "invalid", "invalid", "invalid", "invalid", "invalid", "not_approved"],
            refusals.Select(r => r.GetProperty("approval").GetProperty("refusal").GetString()));
    }

    [Fact]
    public async Task Without_a_reviewer_group_the_outcome_is_no_approvers_configured_and_auto_allow_needs_nobody()
    {
        var none = await _service.CreateAsync(Request(new ApprovalRequirements { ApprovalSetId = "nobody-here" }), default);
        Assert.Equal(EscalationStatus.NoApproversConfigured, none.Status);
        Assert.Equal("no_approvers_configured", ApprovalNames.Of(none.Status));
        Assert.Null(_service.TokenFor(none));

        await using var noGroups = new ApprovalService(new FileEscalationStore(StoreDir), ApproverGroups.None, NewTokens(), null, _clock);
        Assert.Equal(EscalationStatus.NoApproversConfigured, (await noGroups.CreateAsync(Request(), default)).Status);

        var auto = await noGroups.CreateAsync(Request(new ApprovalRequirements { Strategy = ApprovalStrategy.AutoAllow }), default);
        Assert.Equal(EscalationStatus.Approved, auto.Status);
        Assert.Equal(EscalationResolution.AutoAllow, auto.Resolution);
        Assert.True((await noGroups.RedeemAsync(noGroups.TokenFor(auto), Binding(), default)).Accepted);
    }

    [Fact]
    public async Task Nothing_stays_pending_past_its_ttl_on_read_or_by_the_sweeper()
    {
        var reject = await _service.CreateAsync(Request(new ApprovalRequirements { Ttl = TimeSpan.FromMinutes(5) }), default);
        var approve = await _service.CreateAsync(Request(new ApprovalRequirements { Ttl = TimeSpan.FromMinutes(10), TimeoutAction = EscalationTimeoutAction.AutoApprove }), default);

        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(EscalationStatus.Expired, (await _service.GetAsync(reject.Id, default))!.Status);
        Assert.Equal(VoteRefusal.AlreadyResolved, (await _service.VoteAsync(reject.Id, "alice", "finance", ApprovalDecision.Approve, null, default)).Refusal);

        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, await _service.SweepAsync(default));
        var stored = (await new FileEscalationStore(StoreDir).GetAsync(approve.Id, default))!;
        Assert.Equal(EscalationStatus.Approved, stored.Status);
        Assert.Equal(EscalationResolution.Timeout, stored.Resolution);
        Assert.True((await _service.RedeemAsync(_service.TokenFor(stored), Binding(), default)).Accepted);
        Assert.Equal(0, await _service.SweepAsync(default));
    }

    [Fact]
    public async Task Concurrent_votes_from_two_processes_resolve_once_and_nobody_votes_twice()
    {
        await using var other = NewService(audit: null);
        var escalation = await _service.CreateAsync(Request(new ApprovalRequirements { Strategy = ApprovalStrategy.HumanQuorum, MinApprovals = 5, ApprovalSetId = "big" }), default);

        // 20 reviewers, each voting twice at once, half through each "process".
        var votes = await Race(40, i => (i % 2 == 0 ? _service : other).VoteAsync(escalation.Id, $"r{i / 2}", "ops", ApprovalDecision.Approve, null, default));

        var final = (await _service.GetAsync(escalation.Id, default))!;
        Assert.Equal(EscalationStatus.Approved, final.Status);
        Assert.Equal(5, final.Votes.Count);
        Assert.Equal(5, final.Votes.Select(v => v.User).Distinct().Count());
        Assert.Equal(5, votes.Count(v => v.Accepted));
        Assert.All(votes.Where(v => !v.Accepted), v => Assert.Contains(v.Refusal, new[] { VoteRefusal.AlreadyResolved, VoteRefusal.AlreadyVoted }));

        // One token, ten retries at once through both: one runs.
        var token = _service.TokenFor(final)!;
        var redemptions = await Race(10, i => (i % 2 == 0 ? _service : other).RedeemAsync(token, Binding(), default));
        Assert.Single(redemptions, r => r.Accepted);
        Assert.Equal(9, redemptions.Count(r => r.Refusal == TokenRefusal.AlreadyUsed));
    }

    [Fact]
    public async Task A_vote_cast_without_an_audit_log_is_recorded_once_by_the_next_process_that_has_one()
    {
        var escalation = await _service.CreateAsync(Request(), default);
        await using (var cli = NewService(audit: null))
        {
            Assert.True((await cli.VoteAsync(escalation.Id, "bob", "security", ApprovalDecision.Approve, "checked", default)).Accepted);
        }

        await _service.GetAsync(escalation.Id, default);
        await _service.GetAsync(escalation.Id, default);
        await _service.SweepAsync(default);

        var ops = (await RecordsAsync()).Select(r => r.GetProperty("op").GetString()).ToList();
        Assert.Equal(["approval.created", "approval.vote", "approval.resolved"], ops);
    }

    [Fact]
    public async Task A_vote_read_by_many_at_once_is_recorded_once()
    {
        // An agent polling its escalation while the reviewer votes: every reader finds the vote not yet recorded.
        for (var round = 0; round < 5; round++)
        {
            var escalation = await _service.CreateAsync(Request(), default);
            using var voted = new CancellationTokenSource();
            var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                while (!voted.IsCancellationRequested)
                {
                    await _service.GetAsync(escalation.Id, default);
                }
            })).ToArray();
            await Task.Delay(20);
            Assert.True((await _service.VoteAsync(escalation.Id, "alice", "finance", ApprovalDecision.Approve, null, default)).Accepted);
            await Task.Delay(20);
            await voted.CancelAsync();
            await Task.WhenAll(readers);
        }

        var ops = (await RecordsAsync()).Select(r => r.GetProperty("op").GetString()).ToList();
        Assert.Equal(5, ops.Count(op => op == "approval.vote"));
        Assert.Equal(5, ops.Count(op => op == "approval.resolved"));
    }

    [Fact]
    public async Task WaitForApproval_returns_the_token_when_another_process_approves_and_stops_when_cancelled()
    {
        var escalation = await _service.CreateAsync(Request(), default);
        await using var waiterService = new ApprovalService(new FileEscalationStore(StoreDir), _groups, NewTokens(), time: _clock);
        var waiting = waiterService.WaitForApprovalAsync(escalation.Id, default);
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);

        await _service.VoteAsync(escalation.Id, "alice", "finance", ApprovalDecision.Approve, null, default);
        var grant = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(grant.Approved);
        Assert.True((await _service.RedeemAsync(grant.Token, Binding(), default)).Accepted);

        var pending = await _service.CreateAsync(Request(), default);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiterService.WaitForApprovalAsync(pending.Id, cancel.Token));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => waiterService.WaitForApprovalAsync(EscalationIds.New(), default));
    }

    [Fact]
    public async Task The_store_never_reads_outside_its_folder_survives_a_torn_line_and_names_a_damaged_file()
    {
        var store = new FileEscalationStore(StoreDir);
        Assert.Null(await store.GetAsync("../audit/x", default));
        Assert.Null(await store.GetAsync("esc_" + new string('A', 32), default));
        Assert.Null(await store.UpdateAsync("/etc/passwd", e => e, default));
        Assert.Equal(VoteRefusal.UnknownEscalation, (await _service.VoteAsync("../../x", "alice", "finance", ApprovalDecision.Approve, null, default)).Refusal);

        var escalation = await _service.CreateAsync(Request(), default);
        var file = Path.Combine(StoreDir, escalation.Id + ".ndjson");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        // A writer killed mid-line: the torn tail is skipped, then cut off by the next change.
        File.AppendAllText(file, "{\"id\":\"esc_torn");
        Assert.Equal(EscalationStatus.Pending, (await store.GetAsync(escalation.Id, default))!.Status);
        Assert.True((await _service.VoteAsync(escalation.Id, "alice", "finance", ApprovalDecision.Approve, null, default)).Accepted);
        Assert.DoesNotContain("esc_torn", File.ReadAllText(file), StringComparison.Ordinal);
        Assert.All(File.ReadAllLines(file), line => JsonDocument.Parse(line).Dispose());

        File.AppendAllText(file, "not json\n");
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => store.GetAsync(escalation.Id, default));
        Assert.Contains(file, error.Message, StringComparison.Ordinal);
        Assert.Contains("is damaged", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolved_escalations_go_after_their_retention_pending_ones_stay_and_the_records_remain()
    {
        await using var service = new ApprovalService(new FileEscalationStore(StoreDir), _groups, NewTokens(), _audit, _clock, retention: TimeSpan.FromDays(1));
        var resolved = await service.CreateAsync(Request(), default);
        var token = service.TokenFor((await service.VoteAsync(resolved.Id, "alice", "finance", ApprovalDecision.Approve, null, default)).Escalation!);
        var pending = await service.CreateAsync(Request(new ApprovalRequirements { Ttl = TimeSpan.FromDays(10) }), default);

        _clock.Advance(TimeSpan.FromHours(23));
        Assert.Equal(0, await service.SweepAsync(default));
        _clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(1, await service.SweepAsync(default));

        Assert.Null(await service.GetAsync(resolved.Id, default));
        Assert.False(File.Exists(Path.Combine(StoreDir, resolved.Id + ".ndjson")));
        Assert.Equal(EscalationStatus.Pending, (await service.GetAsync(pending.Id, default))!.Status);
        Assert.Equal(TokenRefusal.UnknownEscalation, (await service.RedeemAsync(token, Binding(), default)).Refusal);
        Assert.Equal(VoteRefusal.UnknownEscalation, (await service.VoteAsync(resolved.Id, "bob", "security", ApprovalDecision.Approve, null, default)).Refusal);
        Assert.Contains(await RecordsAsync(), r => r.GetProperty("op").GetString() == "approval.resolved" && r.GetProperty("escalation_id").GetString() == resolved.Id);
    }

    [Fact]
    public async Task A_resolution_not_yet_recorded_is_kept_past_its_retention_until_a_process_with_a_log_records_it()
    {
        var escalation = await _service.CreateAsync(Request(), default);
        await using (var cli = new ApprovalService(new FileEscalationStore(StoreDir), _groups, null, null, _clock, retention: TimeSpan.FromDays(1)))
        {
            await cli.VoteAsync(escalation.Id, "alice", "finance", ApprovalDecision.Approve, null, default);
        }

        _clock.Advance(TimeSpan.FromDays(2));
        await using var app = new ApprovalService(new FileEscalationStore(StoreDir), _groups, NewTokens(), _audit, _clock, retention: TimeSpan.FromDays(1));

        // The first sweep records the vote and the resolution (and keeps it); the next deletes it.
        Assert.Equal(1, await app.SweepAsync(default));
        Assert.Contains(await RecordsAsync(), r => r.GetProperty("op").GetString() == "approval.resolved");
        Assert.True(File.Exists(Path.Combine(StoreDir, escalation.Id + ".ndjson")));
        Assert.Equal(1, await app.SweepAsync(default));
        Assert.Null(await app.GetAsync(escalation.Id, default));
    }

    [Fact]
    public async Task The_approvals_records_verify_with_the_rest_of_the_log()
    {
        var escalation = await _service.CreateAsync(Request(new ApprovalRequirements { Strategy = ApprovalStrategy.HumanQuorum, MinApprovals = 2, VetoRoles = ["legal"] }), default);
        await _service.VoteAsync(escalation.Id, "alice", "finance", ApprovalDecision.Approve, "<script>alert(1)</script>", default);
        await _service.VoteAsync(escalation.Id, "erin", "legal", ApprovalDecision.Reject, "veto", default);
        await _audit.FlushAsync();

        using var verifier = _signer.CreateVerifier();
        var report = new AuditLogVerifier(verifier).Verify(AuditDir);
        Assert.True(report.IsIntact, string.Join("\n", report.Problems.Select(p => p.Message)));
        var resolved = (await RecordsAsync()).Single(r => r.GetProperty("op").GetString() == "approval.resolved");
        Assert.Equal("rejected", resolved.GetProperty("escalation_status").GetString());
        Assert.Equal("veto", resolved.GetProperty("approval").GetProperty("resolution").GetString());
    }

    [Fact]
    public async Task Escalate_reports_a_store_failure_or_a_slow_store_as_an_error_and_auto_allow_as_runnable()
    {
        await using var broken = new ApprovalService(new UnusableStore(TimeSpan.Zero), _groups, NewTokens(), null, _clock);
        var failed = await broken.EscalateAsync(Request(), Binding(), TimeSpan.FromSeconds(5), default);
        Assert.Null(failed.EscalationId);
        Assert.Contains("disk full", failed.Error, StringComparison.Ordinal);

        await using var slow = new ApprovalService(new UnusableStore(TimeSpan.FromSeconds(30)), _groups, NewTokens(), null, _clock);
        var late = await slow.EscalateAsync(Request(), Binding(), TimeSpan.FromMilliseconds(50), default);
        Assert.Null(late.EscalationId);
        Assert.Equal("escalation creation timed out after 50 ms (SEC0_ESCALATION_TIMEOUT_MS)", late.Error);

        var pending = await _service.EscalateAsync(Request(), Binding(), TimeSpan.FromSeconds(5), default);
        Assert.Equal(("pending", null), (pending.Status, pending.Error));
        var auto = await _service.EscalateAsync(Request(new ApprovalRequirements { Strategy = ApprovalStrategy.AutoAllow }), Binding(), TimeSpan.FromSeconds(5), default);
        Assert.Equal("approved", auto.Status);
        Assert.Equal(TokenRefusal.AlreadyUsed, (await _service.RedeemAsync(NewTokens().For(auto.EscalationId!), Binding(), default)).Refusal);
    }

    private ApprovalService NewService(AuditAppender? audit) => new(new FileEscalationStore(StoreDir), _groups, NewTokens(), audit, _clock);

    private ApprovalTokens NewTokens() => ApprovalTokens.FromKeyFile(Path.Combine(StoreDir, "token.key"));

    private static EscalationRequest Request(ApprovalRequirements? requirements = null) => new()
    {
        Tenant = "acme",
        ToolRef = "mcp://payments/transfer@1.0.0",
        NodeId = "order-agent",
        ArgumentsSha256 = ArgsHash,
        Arguments = "{\"amount\":5000}",
        Violation = "agent_guard_failed",
        Reasons = ["agent_guard_failed"],
        Requirements = requirements ?? new ApprovalRequirements(),
    };

    private static ApprovalBinding Binding() => new("acme", "mcp://payments/transfer@1.0.0", "order-agent", ArgsHash);

    private async Task<List<JsonElement>> RecordsAsync()
    {
        await _audit.FlushAsync();
        var records = new List<JsonElement>();
        foreach (var file in Directory.GetFiles(AuditDir, "audit-*.ndjson").Order(StringComparer.Ordinal))
        {
            foreach (var line in File.ReadLines(file))
            {
                var element = JsonDocument.Parse(line).RootElement;
                if (element.TryGetProperty("op", out var op) && op.GetString()!.StartsWith("approval.", StringComparison.Ordinal))
                {
                    records.Add(element);
                }
            }
        }

        return records;
    }

    private static async Task<T[]> Race<T>(int count, Func<int, Task<T>> call)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, count).Select(async i =>
        {
            await gate.Task;
            return await call(i);
        }).ToArray();
        gate.SetResult();
        return await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>A store whose disk is full, after <paramref name="delay"/>: the failure the escalation path must survive.</summary>
    private sealed class UnusableStore(TimeSpan delay) : IEscalationStore
    {
        public async Task CreateAsync(Escalation escalation, CancellationToken cancellationToken)
        {
            await Task.Delay(delay, cancellationToken);
            throw new IOException("disk full");
        }

        public Task<Escalation?> GetAsync(string id, CancellationToken cancellationToken) => Task.FromResult<Escalation?>(null);

        public Task<IReadOnlyList<Escalation>> ListAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<Escalation>>([]);

        public Task<(Escalation Before, Escalation After)?> UpdateAsync(string id, Func<Escalation, Escalation?> change, CancellationToken cancellationToken) =>
            Task.FromResult<(Escalation Before, Escalation After)?>(null);

        public Task<bool> DeleteAsync(string id, Func<Escalation, bool> when, CancellationToken cancellationToken) => Task.FromResult(false);
    }
}

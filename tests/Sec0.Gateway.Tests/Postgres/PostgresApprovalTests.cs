using Sec0.Approvals;
using Sec0.Gateway.State.Postgres;

namespace Sec0.Gateway.Tests.Postgres;

/// <summary>
/// Approvals over the shared database, two replicas (each its own pool and <see cref="ApprovalService"/>) on one schema:
/// votes decided one after the other, one token secret, a token spent once whichever replica sees it.
/// </summary>
[Collection("postgres")]
public sealed class PostgresApprovalTests
{
    private static readonly ApproverGroups s_groups = new(new Dictionary<string, IReadOnlyList<Reviewer>>
    {
        ["big"] = [.. Enumerable.Range(0, 20).Select(i => new Reviewer($"r{i}", ["ops"]))],
    });

    private readonly PostgresServer _server;

    public PostgresApprovalTests(PostgresServer server) => _server = server;

    [Fact]
    public async Task Votes_on_two_replicas_resolve_once_and_the_token_runs_once_on_either()
    {
        var schema = _server.NewSchema();
        await using var stateA = await PostgresGatewayState.OpenAsync(_server.ConnectionString, schema, TimeProvider.System, null, default);
        await using var stateB = await PostgresGatewayState.OpenAsync(_server.ConnectionString, schema, TimeProvider.System, null, default);
        await using var a = new ApprovalService(stateA.Escalations, s_groups, await stateA.GetApprovalTokensAsync(default));
        await using var b = new ApprovalService(stateB.Escalations, s_groups, await stateB.GetApprovalTokensAsync(default));

        var escalation = await a.CreateAsync(new EscalationRequest
        {
            Tenant = "acme",
            ToolRef = "mcp://payments/transfer@1.0.0",
            ArgumentsSha256 = new string('a', 64),
            Violation = "agent_guard_failed",
            Requirements = new ApprovalRequirements { Strategy = ApprovalStrategy.HumanQuorum, MinApprovals = 5, ApprovalSetId = "big" },
        }, default);
        Assert.Equal(EscalationStatus.Pending, (await b.GetAsync(escalation.Id, default))!.Status);

        // 20 reviewers each voting twice at once, half through each replica.
        var votes = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() =>
            (i % 2 == 0 ? a : b).VoteAsync(escalation.Id, $"r{i / 2}", "ops", ApprovalDecision.Approve, null, default))));
        var final = (await b.GetAsync(escalation.Id, default))!;
        Assert.Equal(EscalationStatus.Approved, final.Status);
        Assert.Equal(5, final.Votes.Count);
        Assert.Equal(5, final.Votes.Select(v => v.User).Distinct().Count());
        Assert.Equal(5, votes.Count(v => v.Accepted));

        // One secret: the token A hands out is B's too; ten retries at once over both run once.
        var token = a.TokenFor(final)!;
        Assert.Equal(token, b.TokenFor(final));
        var binding = new ApprovalBinding("acme", "mcp://payments/transfer@1.0.0", "", new string('a', 64));
        var redemptions = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() => (i % 2 == 0 ? a : b).RedeemAsync(token, binding, default))));
        Assert.Single(redemptions, r => r.Accepted);
        Assert.Equal(9, redemptions.Count(r => r.Refusal == TokenRefusal.AlreadyUsed));

        Assert.Single(await a.ListAsync(null, default));
        Assert.Null(await a.GetAsync("esc_' OR 1=1 --", default));
        Assert.Null(await stateA.Escalations.UpdateAsync("../x", e => e, default));
        await Assert.ThrowsAsync<InvalidOperationException>(() => stateB.Escalations.CreateAsync(final, default));

        // Retention: deleted only when the condition holds, under the row lock.
        Assert.False(await stateB.Escalations.DeleteAsync(final.Id, e => !e.IsResolved, default));
        Assert.True(await stateB.Escalations.DeleteAsync(final.Id, e => e.IsResolved, default));
        Assert.Null(await a.GetAsync(final.Id, default));
        Assert.False(await stateA.Escalations.DeleteAsync(final.Id, _ => true, default));
    }
}

using Sec0.Approvals;

namespace Sec0.Instrumentation.Tests.Approvals;

/// <summary>The decision table: strategies × votes × roles × veto × timeout, through <see cref="EscalationRules"/>.</summary>
public sealed class EscalationRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static readonly Reviewer[] s_reviewers =
    [
        new("alice", ["finance"]),
        new("bob", ["security"]),
        new("carol", ["finance", "security"]),
        new("dave", ["ops"]),
        new("erin", ["legal"]),
    ];

    // Votes are "user:role:a|r"; the expected outcome is the status after all of them, then after the TTL.
    [Theory]
    // single_approver: the first counted vote decides.
    [InlineData("single", "", "", "", "", "pending", "expired")]
    [InlineData("single", "", "", "", "alice:finance:a", "approved", "approved")]
    [InlineData("single", "", "", "", "alice:finance:r", "rejected", "rejected")]
    [InlineData("single", "", "", "auto_approve", "", "pending", "approved")]
    // human_quorum with min_approvals 2: one approval is not enough; a rejection (min_rejections 1) rejects.
    [InlineData("quorum:2:1", "", "", "", "alice:finance:a", "pending", "expired")]
    [InlineData("quorum:2:1", "", "", "", "alice:finance:a bob:security:a", "approved", "approved")]
    [InlineData("quorum:2:1", "", "", "", "alice:finance:a bob:security:r", "rejected", "rejected")]
    [InlineData("quorum:2:2", "", "", "", "alice:finance:a bob:security:r", "pending", "expired")]
    [InlineData("quorum:2:2", "", "", "", "alice:finance:r bob:security:r", "rejected", "rejected")]
    [InlineData("quorum:3:1", "", "", "auto_approve", "alice:finance:a bob:security:a", "pending", "approved")]
    // required_roles: only votes in them count, and each must approve.
    [InlineData("quorum:2:1", "finance", "", "", "alice:finance:a dave:ops:a", "pending", "expired")]
    [InlineData("quorum:1:1", "finance,security", "", "", "alice:finance:a", "pending", "expired")]
    [InlineData("quorum:1:1", "finance,security", "", "", "alice:finance:a bob:security:a", "approved", "approved")]
    [InlineData("single", "security", "", "", "dave:ops:a", "pending", "expired")]
    [InlineData("single", "security", "", "", "dave:ops:r", "pending", "expired")]
    [InlineData("single", "security", "", "", "dave:ops:a bob:security:a", "approved", "approved")]
    // veto_roles: one rejection in a veto role rejects, whatever else, counted or not.
    [InlineData("quorum:2:3", "", "legal", "", "alice:finance:a erin:legal:r", "rejected", "rejected")]
    [InlineData("quorum:2:3", "finance", "legal", "", "alice:finance:a erin:legal:r", "rejected", "rejected")]
    [InlineData("quorum:2:3", "", "legal", "", "erin:legal:a alice:finance:a", "approved", "approved")]
    [InlineData("quorum:2:3", "", "legal", "auto_approve", "erin:legal:r", "rejected", "rejected")]
    public void Votes_and_the_timeout_decide_as_the_table_says(string strategy, string requiredRoles, string vetoRoles, string timeout, string votes, string afterVotes, string afterTtl)
    {
        var escalation = Create(strategy, requiredRoles, vetoRoles, timeout);
        var at = T0;
        foreach (var vote in votes.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = vote.Split(':');
            at = at.AddSeconds(10);
            escalation = EscalationRules.AddVote(escalation, parts[0], parts[1], parts[2] == "a" ? ApprovalDecision.Approve : ApprovalDecision.Reject, null, at);
        }

        Assert.Equal(afterVotes, ApprovalNames.Of(EscalationRules.Settle(escalation, at).Status));
        Assert.Equal(afterTtl, ApprovalNames.Of(EscalationRules.Settle(escalation, escalation.ExpiresAt).Status));
        Assert.Equal("pending", ApprovalNames.Of(EscalationRules.Settle(Create(strategy, requiredRoles, vetoRoles, timeout), escalation.ExpiresAt.AddTicks(-1)).Status));
    }

    [Fact]
    public void The_resolving_vote_sets_the_resolution_and_its_time()
    {
        var escalation = Create("quorum:2:3", "", "legal", "");
        escalation = EscalationRules.AddVote(escalation, "alice", "finance", ApprovalDecision.Approve, "fine", T0.AddMinutes(1));
        escalation = EscalationRules.AddVote(escalation, "erin", "legal", ApprovalDecision.Reject, "no", T0.AddMinutes(2));

        Assert.Equal(EscalationStatus.Rejected, escalation.Status);
        Assert.Equal(EscalationResolution.Veto, escalation.Resolution);
        Assert.Equal(T0.AddMinutes(2), escalation.ResolvedAt);
        Assert.Equal(["fine", "no"], escalation.Votes.Select(v => v.Note));

        var timedOut = EscalationRules.Settle(Create("single", "", "", ""), T0.AddHours(2));
        Assert.Equal(EscalationResolution.Timeout, timedOut.Resolution);
        Assert.Equal(T0 + ApprovalRequirements.DefaultTtl, timedOut.ResolvedAt);
    }

    [Theory]
    [InlineData("mallory", "finance", VoteRefusal.NotAReviewer)]
    [InlineData("alice", "security", VoteRefusal.RoleNotHeld)]
    [InlineData("Alice", "finance", VoteRefusal.NotAReviewer)]
    [InlineData("carol", "security", VoteRefusal.AlreadyVoted)]
    [InlineData("bob", "security", VoteRefusal.None)]
    public void Who_may_vote(string user, string role, VoteRefusal expected)
    {
        var escalation = EscalationRules.AddVote(Create("quorum:3:3", "", "", ""), "carol", "finance", ApprovalDecision.Approve, null, T0.AddSeconds(1));

        Assert.Equal(expected, EscalationRules.CheckVote(escalation, user, role, T0.AddSeconds(2)));
        if (expected != VoteRefusal.None)
        {
            Assert.Throws<InvalidOperationException>(() => EscalationRules.AddVote(escalation, user, role, ApprovalDecision.Approve, null, T0.AddSeconds(2)));
        }
    }

    [Fact]
    public void A_late_vote_is_refused_after_a_resolution_and_after_the_ttl()
    {
        var approved = EscalationRules.AddVote(Create("single", "", "", ""), "alice", "finance", ApprovalDecision.Approve, null, T0.AddSeconds(1));
        Assert.Equal(VoteRefusal.AlreadyResolved, EscalationRules.CheckVote(approved, "bob", "security", T0.AddSeconds(2)));

        var pending = Create("single", "", "", "");
        Assert.Equal(VoteRefusal.None, EscalationRules.CheckVote(pending, "bob", "security", pending.ExpiresAt.AddTicks(-1)));
        Assert.Equal(VoteRefusal.AlreadyResolved, EscalationRules.CheckVote(pending, "bob", "security", pending.ExpiresAt));
    }

    [Fact]
    public void Requirements_come_from_the_policy_with_defaults_and_normalised_roles()
    {
        var single = ApprovalRequirements.From(null);
        Assert.Equal(ApprovalStrategy.SingleApprover, single.Strategy);
        Assert.Equal((1, 1), (single.MinApprovals, single.MinRejections));
        Assert.Equal(TimeSpan.FromHours(1), single.Ttl);
        Assert.Equal(EscalationTimeoutAction.AutoReject, single.TimeoutAction);

        var quorum = ApprovalRequirements.From(new Sec0.Policy.HumanEscalationPolicy
        {
            ApprovalStrategy = "human_quorum",
            RequiredRoles = [" finance ", "finance", "", "security"],
            VetoRoles = ["legal", " legal"],
            ApprovalSetId = "  payments ",
            EscalationTtlSeconds = 90,
            TimeoutAction = "auto_approve",
        });
        Assert.Equal(ApprovalStrategy.HumanQuorum, quorum.Strategy);
        Assert.Equal((2, 1), (quorum.MinApprovals, quorum.MinRejections));
        Assert.Equal(["finance", "security"], quorum.RequiredRoles);
        Assert.Equal(["legal"], quorum.VetoRoles);
        Assert.Equal("payments", quorum.ApprovalSetId);
        Assert.Equal(TimeSpan.FromSeconds(90), quorum.Ttl);
        Assert.Equal(EscalationTimeoutAction.AutoApprove, quorum.TimeoutAction);

        // A single approver needs one approval whatever min_approvals says.
        Assert.Equal(1, ApprovalRequirements.From(new Sec0.Policy.HumanEscalationPolicy { ApprovalStrategy = "single_approver", MinApprovals = 5 }).MinApprovals);
    }

    internal static Escalation Create(string strategy, string requiredRoles, string vetoRoles, string timeout)
    {
        var parts = strategy.Split(':');
        var requirements = new ApprovalRequirements
        {
            Strategy = parts[0] == "quorum" ? ApprovalStrategy.HumanQuorum : ApprovalStrategy.SingleApprover,
            MinApprovals = parts.Length > 1 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : 1,
            MinRejections = parts.Length > 2 ? int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture) : 1,
            RequiredRoles = requiredRoles.Split(',', StringSplitOptions.RemoveEmptyEntries),
            VetoRoles = vetoRoles.Split(',', StringSplitOptions.RemoveEmptyEntries),
            TimeoutAction = timeout == "auto_approve" ? EscalationTimeoutAction.AutoApprove : EscalationTimeoutAction.AutoReject,
        };
        return new Escalation
        {
            Id = EscalationIds.New(),
            CreatedAt = T0,
            Reviewers = s_reviewers,
            Request = new EscalationRequest
            {
                Tenant = "acme",
                ToolRef = "mcp://payments/transfer@1.0.0",
                ArgumentsSha256 = new string('a', 64),
                Violation = "agent_guard_failed",
                Requirements = requirements,
            },
        };
    }
}

namespace Sec0.Approvals;

/// <summary>
/// The rules that decide an escalation from its requirements, its reviewers and its votes; pure functions, so the
/// decision table is tested on its own and every store applies the same rules.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A vote is taken only from a reviewer of the escalation's group, in a role the reviewer holds, once per
/// person, and only while the escalation is pending (its TTL not run out).</item>
/// <item>A vote counts towards the quorum when the requirements name no required roles, or when it is cast in one of them.</item>
/// <item>A rejection cast in a veto role rejects at once.</item>
/// <item>Approved: at least <see cref="ApprovalRequirements.MinApprovals"/> counted approvals, with at least one in each
/// required role. Rejected: at least <see cref="ApprovalRequirements.MinRejections"/> counted rejections.</item>
/// <item>The first vote that meets a rule resolves the escalation; later votes are refused.</item>
/// <item>Pending at <see cref="Escalation.ExpiresAt"/>: <see cref="ApprovalRequirements.TimeoutAction"/> decides.</item>
/// </list>
/// </remarks>
public static class EscalationRules
{
    /// <summary>Whether <paramref name="user"/> may vote in <paramref name="role"/> on <paramref name="escalation"/> at <paramref name="now"/>.</summary>
    public static VoteRefusal CheckVote(Escalation escalation, string user, string role, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(escalation);
        if (Settle(escalation, now).IsResolved)
        {
            return VoteRefusal.AlreadyResolved;
        }

        Reviewer? reviewer = null;
        foreach (var r in escalation.Reviewers)
        {
            if (string.Equals(r.User, user, StringComparison.Ordinal))
            {
                reviewer = r;
                break;
            }
        }

        if (reviewer is null)
        {
            return VoteRefusal.NotAReviewer;
        }

        if (!reviewer.Holds(role))
        {
            return VoteRefusal.RoleNotHeld;
        }

        foreach (var vote in escalation.Votes)
        {
            if (string.Equals(vote.User, user, StringComparison.Ordinal))
            {
                return VoteRefusal.AlreadyVoted;
            }
        }

        return VoteRefusal.None;
    }

    /// <summary>
    /// Adds a vote that <see cref="CheckVote"/> accepted and decides again.
    /// </summary>
    /// <exception cref="InvalidOperationException">The vote is not acceptable (<see cref="CheckVote"/> refuses it).</exception>
    public static Escalation AddVote(Escalation escalation, string user, string role, ApprovalDecision decision, string? note, DateTimeOffset now)
    {
        var refusal = CheckVote(escalation, user, role, now);
        if (refusal != VoteRefusal.None)
        {
            throw new InvalidOperationException($"The vote of {user} is refused: {refusal}.");
        }

        var vote = new ApprovalVote(user, role, decision, now, note, escalation.Request.Requirements.Counts(role));
        return Decide(escalation with { Votes = [.. escalation.Votes, vote] });
    }

    /// <summary>
    /// The escalation as it stands at <paramref name="now"/>: unchanged when resolved or still within its TTL with no
    /// rule met; otherwise resolved by its votes or by its timeout action.
    /// </summary>
    public static Escalation Settle(Escalation escalation, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(escalation);
        if (escalation.IsResolved)
        {
            return escalation;
        }

        var decided = Decide(escalation);
        if (decided.IsResolved || now < escalation.ExpiresAt)
        {
            return decided;
        }

        return escalation.Request.Requirements.TimeoutAction == EscalationTimeoutAction.AutoApprove
            ? escalation with { Status = EscalationStatus.Approved, Resolution = EscalationResolution.Timeout, ResolvedAt = escalation.ExpiresAt }
            : escalation with { Status = EscalationStatus.Expired, Resolution = EscalationResolution.Timeout, ResolvedAt = escalation.ExpiresAt };
    }

    // The votes in order; the first that meets a rule resolves, at its own time.
    private static Escalation Decide(Escalation escalation)
    {
        if (escalation.IsResolved)
        {
            return escalation;
        }

        var requirements = escalation.Request.Requirements;
        var approvals = 0;
        var rejections = 0;
        var rolesApproved = new HashSet<string>(StringComparer.Ordinal);
        foreach (var vote in escalation.Votes)
        {
            if (vote.Decision == ApprovalDecision.Reject && requirements.IsVeto(vote.Role))
            {
                return Resolved(escalation, EscalationStatus.Rejected, EscalationResolution.Veto, vote.At);
            }

            if (!vote.Counted)
            {
                continue;
            }

            if (vote.Decision == ApprovalDecision.Approve)
            {
                approvals++;
                rolesApproved.Add(vote.Role);
            }
            else
            {
                rejections++;
            }

            if (rejections >= requirements.MinRejections)
            {
                return Resolved(escalation, EscalationStatus.Rejected, EscalationResolution.Votes, vote.At);
            }

            if (approvals >= requirements.MinApprovals && requirements.RequiredRoles.All(rolesApproved.Contains))
            {
                return Resolved(escalation, EscalationStatus.Approved, EscalationResolution.Votes, vote.At);
            }
        }

        return escalation;
    }

    private static Escalation Resolved(Escalation escalation, EscalationStatus status, EscalationResolution resolution, DateTimeOffset at) =>
        escalation with { Status = status, Resolution = resolution, ResolvedAt = at };
}

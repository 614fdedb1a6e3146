namespace Sec0.Approvals;

/// <summary>Why a vote was not taken.</summary>
public enum VoteRefusal
{
    /// <summary>Taken.</summary>
    None,

    /// <summary>No escalation has that id.</summary>
    UnknownEscalation,

    /// <summary>The escalation is already resolved (approved, rejected, expired): a late vote changes nothing.</summary>
    AlreadyResolved,

    /// <summary>The user is not in the escalation's reviewer group.</summary>
    NotAReviewer,

    /// <summary>The user does not hold the role the vote names.</summary>
    RoleNotHeld,

    /// <summary>The user already voted on this escalation.</summary>
    AlreadyVoted,
}

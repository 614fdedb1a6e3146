namespace Sec0.Approvals;

/// <summary>One reviewer's vote on an escalation, as recorded.</summary>
/// <param name="User">Who voted.</param>
/// <param name="Role">The role the vote was cast in (one the reviewer holds).</param>
/// <param name="Decision">Approve or reject.</param>
/// <param name="At">When.</param>
/// <param name="Note">The reviewer's note, if any.</param>
/// <param name="Counted">Whether it counts towards the quorum (false when the role is not one of the required roles).</param>
public sealed record ApprovalVote(string User, string Role, ApprovalDecision Decision, DateTimeOffset At, string? Note, bool Counted);

namespace Sec0.Approvals;

/// <summary>The outcome of a vote.</summary>
/// <param name="Refusal"><see cref="VoteRefusal.None"/> when the vote was taken.</param>
/// <param name="Escalation">The escalation after the vote (or as it stands, when refused); null when unknown.</param>
public sealed record VoteResult(VoteRefusal Refusal, Escalation? Escalation)
{
    /// <summary>Whether the vote was taken.</summary>
    public bool Accepted => Refusal == VoteRefusal.None;
}

namespace Sec0.Approvals;

/// <summary>What <see cref="ApprovalService.WaitForApprovalAsync"/> ends with.</summary>
/// <param name="Escalation">The escalation, resolved.</param>
/// <param name="Token">The approval token when it was approved (and its token not used yet); null otherwise.</param>
public sealed record ApprovalGrant(Escalation Escalation, string? Token)
{
    /// <summary>Whether the call may now be retried with <see cref="Token"/>.</summary>
    public bool Approved => Token is not null;
}

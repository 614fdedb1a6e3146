namespace Sec0.Approvals;

/// <summary>A person who may vote on escalations, and the roles they may vote in (<c>approvals.groups</c>).</summary>
/// <param name="User">Who: the name the CLI's <c>--as</c> and the reviewer page's token carry.</param>
/// <param name="Roles">The roles the person holds; a vote is cast in one of them.</param>
public sealed record Reviewer(string User, IReadOnlyList<string> Roles)
{
    /// <summary>Whether the reviewer holds <paramref name="role"/>.</summary>
    public bool Holds(string role) => ApprovalRequirements.Contains(Roles, role);
}

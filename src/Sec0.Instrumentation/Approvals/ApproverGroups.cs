namespace Sec0.Approvals;

/// <summary>
/// The reviewer groups of sec0.config.yaml's <c>approvals.groups</c>, keyed by <c>approval_set_id</c>, and the group
/// used when the policy names none (<c>approvals.default_group</c>).
/// </summary>
public sealed class ApproverGroups
{
    private readonly IReadOnlyDictionary<string, IReadOnlyList<Reviewer>> _groups;

    /// <summary>Creates the groups.</summary>
    /// <param name="groups">The reviewers of each group, by group id.</param>
    /// <param name="defaultGroup">The group used when the policy names no <c>approval_set_id</c>; null: none.</param>
    /// <exception cref="ArgumentException">The default group is not one of <paramref name="groups"/>.</exception>
    public ApproverGroups(IReadOnlyDictionary<string, IReadOnlyList<Reviewer>> groups, string? defaultGroup = null)
    {
        ArgumentNullException.ThrowIfNull(groups);
        if (defaultGroup is not null && !groups.ContainsKey(defaultGroup))
        {
            throw new ArgumentException($"The default group \"{defaultGroup}\" is not one of the groups.", nameof(defaultGroup));
        }

        _groups = groups;
        DefaultGroup = defaultGroup;
    }

    /// <summary>No groups: every escalation that needs people ends as <c>no_approvers_configured</c>.</summary>
    public static ApproverGroups None { get; } = new(new Dictionary<string, IReadOnlyList<Reviewer>>());

    /// <summary>The group used when the policy names none.</summary>
    public string? DefaultGroup { get; }

    /// <summary>The group ids.</summary>
    public IEnumerable<string> GroupIds => _groups.Keys;

    /// <summary>
    /// The reviewers for <paramref name="approvalSetId"/> (or the default group when it is null); null when that group
    /// does not exist or has nobody in it.
    /// </summary>
    public IReadOnlyList<Reviewer>? Resolve(string? approvalSetId)
    {
        var id = approvalSetId ?? DefaultGroup;
        return id is not null && _groups.TryGetValue(id, out var reviewers) && reviewers.Count > 0 ? reviewers : null;
    }
}

using Sec0.Policy;

namespace Sec0.Approvals;

/// <summary>
/// What it takes to resolve an escalation, normalised from <c>security.side_effects.human_escalation</c> with the
/// defaults filled in. Fixed when the escalation is created, so a policy change never re-decides a running one.
/// </summary>
public sealed record ApprovalRequirements
{
    /// <summary>The TTL when the policy sets none: one hour.</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromHours(1);

    /// <summary>The default quorum of <see cref="ApprovalStrategy.HumanQuorum"/>: two approvals.</summary>
    public const int DefaultQuorum = 2;

    /// <summary>How the escalation is decided.</summary>
    public ApprovalStrategy Strategy { get; init; } = ApprovalStrategy.SingleApprover;

    /// <summary>Counted approvals that approve: 1 for a single approver, <c>min_approvals</c> (default 2) for a quorum.</summary>
    public int MinApprovals { get; init; } = 1;

    /// <summary>Counted rejections that reject: 1 for a single approver, <c>min_rejections</c> (default 1) for a quorum.</summary>
    public int MinRejections { get; init; } = 1;

    /// <summary>
    /// When not empty: only votes cast in one of these roles count, and an approval needs at least one approving vote
    /// in each of them (besides <see cref="MinApprovals"/>).
    /// </summary>
    public IReadOnlyList<string> RequiredRoles { get; init; } = [];

    /// <summary>A rejection cast in one of these roles rejects at once, whatever the other votes.</summary>
    public IReadOnlyList<string> VetoRoles { get; init; } = [];

    /// <summary>The reviewer group (<c>approvals.groups</c> in sec0.config.yaml); null: the default group.</summary>
    public string? ApprovalSetId { get; init; }

    /// <summary>How long the escalation stays pending before <see cref="TimeoutAction"/> decides it.</summary>
    public TimeSpan Ttl { get; init; } = DefaultTtl;

    /// <summary>What a pending escalation becomes at the end of its TTL.</summary>
    public EscalationTimeoutAction TimeoutAction { get; init; } = EscalationTimeoutAction.AutoReject;

    /// <summary>The requirements a policy's <c>human_escalation</c> block sets; the defaults where it is absent.</summary>
    public static ApprovalRequirements From(HumanEscalationPolicy? policy)
    {
        if (policy is null)
        {
            return new ApprovalRequirements();
        }

        var strategy = policy.ApprovalStrategy switch
        {
            "human_quorum" => ApprovalStrategy.HumanQuorum,
            "auto_allow" => ApprovalStrategy.AutoAllow,
            _ => ApprovalStrategy.SingleApprover,
        };
        var quorum = strategy == ApprovalStrategy.HumanQuorum;
        return new ApprovalRequirements
        {
            Strategy = strategy,
            MinApprovals = quorum ? Math.Max(1, policy.MinApprovals ?? DefaultQuorum) : 1,
            MinRejections = quorum ? Math.Max(1, policy.MinRejections ?? 1) : 1,
            RequiredRoles = Roles(policy.RequiredRoles),
            VetoRoles = Roles(policy.VetoRoles),
            ApprovalSetId = string.IsNullOrWhiteSpace(policy.ApprovalSetId) ? null : policy.ApprovalSetId.Trim(),
            Ttl = policy.EscalationTtlSeconds is int seconds and > 0 ? TimeSpan.FromSeconds(seconds) : DefaultTtl,
            TimeoutAction = policy.TimeoutAction == "auto_approve" ? EscalationTimeoutAction.AutoApprove : EscalationTimeoutAction.AutoReject,
        };
    }

    /// <summary>Whether a vote cast in <paramref name="role"/> counts towards the quorum.</summary>
    public bool Counts(string role) => RequiredRoles.Count == 0 || Contains(RequiredRoles, role);

    /// <summary>Whether a rejection cast in <paramref name="role"/> is a veto.</summary>
    public bool IsVeto(string role) => Contains(VetoRoles, role);

    internal static bool Contains(IReadOnlyList<string> roles, string role)
    {
        foreach (var r in roles)
        {
            if (string.Equals(r, role, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    // Trimmed, de-duplicated, empty entries dropped, in their order (as Sec0's TS SDK normalises them).
    private static string[] Roles(IReadOnlyList<string> roles)
    {
        var result = new List<string>(roles.Count);
        foreach (var role in roles)
        {
            var trimmed = role?.Trim();
            if (!string.IsNullOrEmpty(trimmed) && !result.Contains(trimmed, StringComparer.Ordinal))
            {
                result.Add(trimmed);
            }
        }

        return [.. result];
    }
}

using Sec0.Approvals;

namespace Sec0.Config;

/// <summary>The <c>approvals:</c> block of sec0.config.yaml: who reviews escalations, and where escalations are kept.</summary>
public sealed record ApprovalsConfig
{
    /// <summary>The most reviewers one group may hold.</summary>
    public const int MaxReviewersPerGroup = 1000;

    /// <summary><c>approvals.dir</c> as an absolute path; defaults to <c>&lt;sec0Dir&gt;/approvals</c>.</summary>
    public required string Directory { get; init; }

    /// <summary><c>approvals.retention_days</c>: how long a resolved escalation is kept (default 30 days).</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(30);

    /// <summary><c>approvals.groups</c> and <c>approvals.default_group</c>; <see cref="ApproverGroups.None"/> when absent.</summary>
    public ApproverGroups Groups { get; init; } = ApproverGroups.None;
}

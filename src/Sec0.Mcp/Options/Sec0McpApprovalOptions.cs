using Sec0.Approvals;

namespace Sec0.Mcp;

/// <summary>
/// Human approvals of escalated tool calls (<see cref="Sec0McpOptions.Approvals"/>, docs/approvals.md): where
/// escalations live and who reviews them. The steps are recorded in the server's own audit log.
/// </summary>
public sealed class Sec0McpApprovalOptions
{
    /// <summary>The escalations' folder (shared with <c>sec0 approvals</c> and other processes); required.</summary>
    public string? Directory { get; set; }

    /// <summary>How long a resolved escalation is kept (default 30 days).</summary>
    public TimeSpan Retention { get; set; } = ApprovalService.DefaultRetention;

    /// <summary>The reviewer groups, keyed by <c>approval_set_id</c>.</summary>
    public ApproverGroups Groups { get; set; } = ApproverGroups.None;
}

namespace Sec0.Approvals;

/// <summary>The wire names of the approvals' enums, as in the policy file, the audit log and the JSON answers.</summary>
public static class ApprovalNames
{
    /// <summary>The wire name of <see cref="EscalationStatus.Pending"/>.</summary>
    public const string Pending = "pending";

    /// <summary>The status as Sec0 writes it: <c>pending</c>, <c>approved</c>, <c>rejected</c>, <c>expired</c>, <c>no_approvers_configured</c>.</summary>
    public static string Of(EscalationStatus status) => status switch
    {
        EscalationStatus.Pending => Pending,
        EscalationStatus.Approved => "approved",
        EscalationStatus.Rejected => "rejected",
        EscalationStatus.Expired => "expired",
        EscalationStatus.NoApproversConfigured => "no_approvers_configured",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary><c>none</c>, <c>votes</c>, <c>veto</c>, <c>timeout</c>, <c>auto_allow</c>, <c>no_approvers</c>.</summary>
    public static string Of(EscalationResolution resolution) => resolution switch
    {
        EscalationResolution.None => "none",
        EscalationResolution.Votes => "votes",
        EscalationResolution.Veto => "veto",
        EscalationResolution.Timeout => "timeout",
        EscalationResolution.AutoAllow => "auto_allow",
        EscalationResolution.NoApprovers => "no_approvers",
        EscalationResolution.ControlPlane => "control_plane",
        _ => throw new ArgumentOutOfRangeException(nameof(resolution), resolution, null),
    };

    /// <summary><c>approve</c> or <c>reject</c>.</summary>
    public static string Of(ApprovalDecision decision) => decision == ApprovalDecision.Approve ? "approve" : "reject";

    /// <summary><c>single_approver</c>, <c>human_quorum</c>, <c>auto_allow</c>.</summary>
    public static string Of(ApprovalStrategy strategy) => strategy switch
    {
        ApprovalStrategy.SingleApprover => "single_approver",
        ApprovalStrategy.HumanQuorum => "human_quorum",
        ApprovalStrategy.AutoAllow => "auto_allow",
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, null),
    };

    /// <summary><c>auto_reject</c> or <c>auto_approve</c>.</summary>
    public static string Of(EscalationTimeoutAction action) => action == EscalationTimeoutAction.AutoApprove ? "auto_approve" : "auto_reject";

    /// <summary>The wire name of a vote refusal: <c>already_resolved</c>, <c>not_a_reviewer</c>, …</summary>
    public static string Of(VoteRefusal refusal) => refusal switch
    {
        VoteRefusal.None => "none",
        VoteRefusal.UnknownEscalation => "unknown_escalation",
        VoteRefusal.AlreadyResolved => "already_resolved",
        VoteRefusal.NotAReviewer => "not_a_reviewer",
        VoteRefusal.RoleNotHeld => "role_not_held",
        VoteRefusal.AlreadyVoted => "already_voted",
        _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal, null),
    };

    /// <summary>The wire name of a token refusal: <c>invalid</c>, <c>already_used</c>, <c>other_call</c>, …</summary>
    public static string Of(TokenRefusal refusal) => refusal switch
    {
        TokenRefusal.None => "none",
        TokenRefusal.Invalid => "invalid",
        TokenRefusal.UnknownEscalation => "unknown_escalation",
        TokenRefusal.NotApproved => "not_approved",
        TokenRefusal.AlreadyUsed => "already_used",
        TokenRefusal.OtherCall => "other_call",
        _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal, null),
    };

    /// <summary>Reads a status's wire name (<see cref="Of(EscalationStatus)"/>).</summary>
    public static bool TryParseStatus(string? text, out EscalationStatus status)
    {
        foreach (var candidate in Enum.GetValues<EscalationStatus>())
        {
            if (string.Equals(Of(candidate), text, StringComparison.Ordinal))
            {
                status = candidate;
                return true;
            }
        }

        status = default;
        return false;
    }

    internal static bool TryParseDecision(string? text, out ApprovalDecision decision)
    {
        decision = text == "reject" ? ApprovalDecision.Reject : ApprovalDecision.Approve;
        return text is "approve" or "reject";
    }
}

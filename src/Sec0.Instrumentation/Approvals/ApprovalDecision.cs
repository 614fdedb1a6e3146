namespace Sec0.Approvals;

/// <summary>A reviewer's vote.</summary>
public enum ApprovalDecision
{
    /// <summary>Let the call run.</summary>
    Approve,

    /// <summary>Do not let the call run.</summary>
    Reject,
}

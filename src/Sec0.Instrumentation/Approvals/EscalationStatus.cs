namespace Sec0.Approvals;

/// <summary>Where an escalation stands. Every status but <see cref="Pending"/> is final.</summary>
public enum EscalationStatus
{
    /// <summary>Waiting for votes.</summary>
    Pending,

    /// <summary>Approved: by votes, by <c>auto_allow</c>, or at the TTL with <c>timeout_action: auto_approve</c>. The call may run once with its approval token.</summary>
    Approved,

    /// <summary>Rejected by votes or by a veto.</summary>
    Rejected,

    /// <summary>Still pending at the end of its TTL with <c>timeout_action: auto_reject</c>.</summary>
    Expired,

    /// <summary>Human review was required, but no reviewer group resolved for the request.</summary>
    NoApproversConfigured,
}

namespace Sec0.Approvals;

/// <summary>What an escalation still pending at the end of its TTL becomes (<c>human_escalation.timeout_action</c>).</summary>
public enum EscalationTimeoutAction
{
    /// <summary>Rejected: status <c>expired</c>. The default: nobody approved, so the call does not run.</summary>
    AutoReject,

    /// <summary>Approved: status <c>approved</c>, resolution <c>timeout</c>.</summary>
    AutoApprove,
}

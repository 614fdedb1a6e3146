namespace Sec0.Approvals;

/// <summary>Why an escalation left <see cref="EscalationStatus.Pending"/>.</summary>
public enum EscalationResolution
{
    /// <summary>Still pending.</summary>
    None,

    /// <summary>Enough counted approvals, or enough counted rejections.</summary>
    Votes,

    /// <summary>A rejection by a reviewer voting in one of the <c>veto_roles</c>.</summary>
    Veto,

    /// <summary>The TTL ran out; <c>timeout_action</c> decided.</summary>
    Timeout,

    /// <summary><c>approval_strategy: auto_allow</c>.</summary>
    AutoAllow,

    /// <summary>No reviewer group resolved (<see cref="EscalationStatus.NoApproversConfigured"/>).</summary>
    NoApprovers,

    /// <summary>The control plane's reviewers decided (<c>controlPlane.escalations: mirror</c>).</summary>
    ControlPlane,
}

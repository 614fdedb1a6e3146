namespace Sec0.Config;

/// <summary><c>controlPlane.escalations</c>: where escalations go besides the local approvals folder.</summary>
public enum EscalationReporting
{
    /// <summary>Local approval only (the default).</summary>
    Local = 0,

    /// <summary>
    /// Each escalation is also reported to the control plane (<c>POST /api/escalations</c>); its status there is polled,
    /// and an <c>approved</c>, <c>rejected</c> or <c>expired</c> there resolves the local escalation too.
    /// </summary>
    Mirror = 1,
}

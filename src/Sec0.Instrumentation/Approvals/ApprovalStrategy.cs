namespace Sec0.Approvals;

/// <summary>How an escalation is decided (<c>security.side_effects.human_escalation.approval_strategy</c>).</summary>
public enum ApprovalStrategy
{
    /// <summary>One counted approval approves; one counted rejection rejects. The default.</summary>
    SingleApprover,

    /// <summary><c>min_approvals</c> counted approvals approve, <c>min_rejections</c> counted rejections reject.</summary>
    HumanQuorum,

    /// <summary>Approved when created, without people; recorded like any other escalation.</summary>
    AutoAllow,
}

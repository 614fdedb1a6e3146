using Sec0.Approvals;
using Sec0.Policy;

namespace Sec0.Hops;

/// <summary>What the hop runtime needs to escalate a call: the app's approvals, the policy's <c>human_escalation</c> block and the creation timeout.</summary>
/// <param name="Service">The one approvals service of the app (the MCP middleware and the gateway use the same type).</param>
/// <param name="Policy">The policy's <c>security.side_effects.human_escalation</c>.</param>
/// <param name="Timeout">How long creating an escalation may take (<c>SEC0_ESCALATION_TIMEOUT_MS</c>).</param>
internal sealed record HopApprovals(ApprovalService Service, HumanEscalationPolicy? Policy, TimeSpan Timeout);

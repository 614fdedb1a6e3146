namespace Sec0.Approvals;

/// <summary>The call an approval token is presented with; it must be the escalated call exactly.</summary>
/// <param name="Tenant">The call's tenant.</param>
/// <param name="ToolRef">The call's tool ref.</param>
/// <param name="NodeId">The calling node (empty when unknown).</param>
/// <param name="ArgumentsSha256">SHA-256 (hex) of the call's canonical arguments, the approval token itself scrubbed.</param>
public sealed record ApprovalBinding(string Tenant, string ToolRef, string NodeId, string ArgumentsSha256);

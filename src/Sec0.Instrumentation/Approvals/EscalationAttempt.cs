namespace Sec0.Approvals;

/// <summary>What <see cref="ApprovalService.EscalateAsync"/> ends with.</summary>
/// <param name="EscalationId">The escalation's id; null when it could not be created.</param>
/// <param name="Status">The status to report (<c>approved</c> only when the call may run now); null without an escalation.</param>
/// <param name="Error">Why no escalation could be created (recorded as <c>escalation_error</c>); null otherwise.</param>
public sealed record EscalationAttempt(string? EscalationId, string? Status, string? Error);

namespace Sec0.Policy;

/// <summary>What a decision says to do with a call (the envelope's <c>policy.decision</c>).</summary>
public enum DecisionOutcome
{
    /// <summary><c>allow</c>: run the call.</summary>
    Allow = 0,
    /// <summary><c>deny</c>: do not run the call.</summary>
    Deny,
    /// <summary><c>would_deny</c>: observe mode; the call runs, but enforce mode would have denied or escalated it.</summary>
    WouldDeny,
    /// <summary><c>escalate</c>: do not run the call until a human approves it.</summary>
    Escalate,
}

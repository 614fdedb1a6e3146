namespace Sec0.Policy;

/// <summary>The audit names of decision outcomes (<see cref="Decision.OutcomeName"/>, the envelope's <c>policy.decision</c>).</summary>
internal static class DecisionNames
{
    /// <summary>The call runs.</summary>
    public const string Allow = "allow";

    /// <summary>The call is refused.</summary>
    public const string Deny = "deny";

    /// <summary>Observe mode: the call runs, but enforcement would have refused it.</summary>
    public const string WouldDeny = "would_deny";

    /// <summary>The call waits for human approval.</summary>
    public const string Escalate = "escalate";
}

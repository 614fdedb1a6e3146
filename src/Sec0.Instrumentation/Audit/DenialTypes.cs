namespace Sec0.Audit;

/// <summary>The values of an audit envelope's <c>denial_type</c> field (and of the gateway's error body).</summary>
internal static class DenialTypes
{
    /// <summary>The policy denied the call.</summary>
    public const string Policy = "policy";

    /// <summary>The call waits for human approval.</summary>
    public const string Escalation = "escalation";

    /// <summary><see cref="Escalation"/> when <paramref name="escalated"/>, otherwise <see cref="Policy"/>.</summary>
    public static string Of(bool escalated) => escalated ? Escalation : Policy;
}

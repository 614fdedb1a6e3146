using Sec0.Policy;

namespace Sec0.Audit;

/// <summary>The <c>policy</c> object of an audit envelope.</summary>
/// <param name="Decision"><c>allow</c>, <c>deny</c>, <c>would_deny</c> or <c>escalate</c>.</param>
/// <param name="Retention">The retention class of the record (for example <c>standard</c>), if the policy sets one.</param>
/// <param name="Reason">The reason behind the decision, from the <c>deny_on</c> vocabulary, if any.</param>
public sealed record AuditPolicyRecord(string Decision, string? Retention = null, string? Reason = null)
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string), AuditPolicyRecord> s_cache = new();

    /// <summary>An allow decision with no reason.</summary>
    public static AuditPolicyRecord Allow { get; } = new(DecisionNames.Allow);

    /// <summary>A shared record for a decision and its reason (decisions repeat; records are immutable).</summary>
    public static AuditPolicyRecord For(string decision, string reason)
        => s_cache.GetOrAdd((decision, reason), static k => new AuditPolicyRecord(k.Item1, null, k.Item2));
}

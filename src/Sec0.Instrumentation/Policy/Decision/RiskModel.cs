namespace Sec0.Policy;

/// <summary>
/// The fixed weights and tags per reason behind a decision's risk score, tags and primary reason.
/// Score = 1 - Π(1 - weight) over the violated reasons (a noisy-OR: one severe reason is enough for a
/// high score, more reasons only raise it, and it stays in [0, 1]); 0 without violations.
/// </summary>
internal static class RiskModel
{
    private static readonly double[] s_weights = new double[(int)PolicyReasons.MaxReason + 1];
    private static readonly PolicyRiskTags[] s_tags = new PolicyRiskTags[(int)PolicyReasons.MaxReason + 1];
    private static readonly IReadOnlyList<string>?[] s_tagNames = new IReadOnlyList<string>?[1 << 10];
    private static readonly (PolicyRiskTags Tag, string Name)[] s_tagNameTable =
    [
        (PolicyRiskTags.Integrity, "integrity"),
        (PolicyRiskTags.SupplyChain, "supply_chain"),
        (PolicyRiskTags.UnscannedCode, "unscanned_code"),
        (PolicyRiskTags.KnownVulnerability, "known_vulnerability"),
        (PolicyRiskTags.Exfiltration, "exfiltration"),
        (PolicyRiskTags.ResourceAbuse, "resource_abuse"),
        (PolicyRiskTags.SideEffect, "side_effect"),
        (PolicyRiskTags.AgentBehavior, "agent_behavior"),
        (PolicyRiskTags.Availability, "availability"),
        (PolicyRiskTags.AuditGap, "audit_gap"),
    ];

    static RiskModel()
    {
        Set(PolicyReason.HandlerSwap, 1.0, PolicyRiskTags.Integrity);
        Set(PolicyReason.RegistryMutation, 0.9, PolicyRiskTags.Integrity);
        Set(PolicyReason.MissingAuditSignature, 0.9, PolicyRiskTags.AuditGap | PolicyRiskTags.Integrity);
        Set(PolicyReason.MalformedInput, 0.9, PolicyRiskTags.AuditGap | PolicyRiskTags.Integrity);
        Set(PolicyReason.SastFailed, 0.9, PolicyRiskTags.KnownVulnerability);
        Set(PolicyReason.DastFailed, 0.9, PolicyRiskTags.KnownVulnerability);
        Set(PolicyReason.SkillScanFailed, 0.9, PolicyRiskTags.KnownVulnerability);
        Set(PolicyReason.EgressViolation, 0.8, PolicyRiskTags.Exfiltration);
        Set(PolicyReason.FsViolation, 0.8, PolicyRiskTags.Exfiltration);
        Set(PolicyReason.ContextualEvaluatorDenied, 0.8, PolicyRiskTags.AgentBehavior);
        Set(PolicyReason.AgentGuardFailed, 0.8, PolicyRiskTags.AgentBehavior);
        Set(PolicyReason.ToolNotInAllowlist, 0.7, PolicyRiskTags.SupplyChain);
        Set(PolicyReason.ToolCodeChanged, 0.7, PolicyRiskTags.Integrity);
        Set(PolicyReason.ServerCodeChanged, 0.7, PolicyRiskTags.Integrity);
        Set(PolicyReason.SkillCodeChanged, 0.7, PolicyRiskTags.Integrity);
        Set(PolicyReason.ContextualEvaluatorEscalated, 0.6, PolicyRiskTags.AgentBehavior);
        Set(PolicyReason.SkillVersionChanged, 0.5, PolicyRiskTags.SupplyChain | PolicyRiskTags.Integrity);
        Set(PolicyReason.MissingIdempotencyForSideEffect, 0.5, PolicyRiskTags.SideEffect);
        Set(PolicyReason.UninterceptedCall, 0.5, PolicyRiskTags.AuditGap);
        Set(PolicyReason.VersionUnpinned, 0.4, PolicyRiskTags.SupplyChain);
        Set(PolicyReason.SastPending, 0.4, PolicyRiskTags.UnscannedCode);
        Set(PolicyReason.DastPending, 0.4, PolicyRiskTags.UnscannedCode);
        Set(PolicyReason.SkillScanPending, 0.4, PolicyRiskTags.UnscannedCode);
        Set(PolicyReason.PayloadTooLarge, 0.3, PolicyRiskTags.ResourceAbuse);
        Set(PolicyReason.DurationTooLong, 0.3, PolicyRiskTags.ResourceAbuse);
        Set(PolicyReason.CircuitOpen, 0.2, PolicyRiskTags.Availability);

        // Primary-reason ranking: heavier first, ties in enum order.
        Ranking = Enumerable.Range(1, (int)PolicyReasons.MaxReason)
            .Select(index => (PolicyReason)index)
            .OrderByDescending(reason => s_weights[(int)reason])
            .ThenBy(reason => (int)reason)
            .ToArray();
        s_tagNames[0] = Array.Empty<string>();
    }

    /// <summary>Every reason, most severe first.</summary>
    public static PolicyReason[] Ranking { get; }

    public static double Weight(PolicyReason reason) => s_weights[(int)reason];

    public static PolicyRiskTags Tags(PolicyReason reason) => s_tags[(int)reason];

    /// <summary>The most severe reason in <paramref name="reasons"/>, or None.</summary>
    public static PolicyReason Primary(PolicyReasonSet reasons)
    {
        if (reasons.IsEmpty)
        {
            return PolicyReason.None;
        }

        foreach (var reason in Ranking)
        {
            if (reasons.Contains(reason))
            {
                return reason;
            }
        }

        return PolicyReason.None;
    }

    public static (double Score, PolicyRiskTags Tags) Assess(PolicyReasonSet reasons)
    {
        var keep = 1.0;
        var tags = PolicyRiskTags.None;
        foreach (var reason in reasons)
        {
            keep *= 1.0 - s_weights[(int)reason];
            tags |= s_tags[(int)reason];
        }

        return (Math.Round(1.0 - keep, 4), tags);
    }

    /// <summary>The tag names for a combination, built once per combination and then shared.</summary>
    public static IReadOnlyList<string> Names(PolicyRiskTags tags)
    {
        var index = (int)tags & ((1 << 10) - 1);
        var cached = Volatile.Read(ref s_tagNames[index]);
        if (cached is not null)
        {
            return cached;
        }

        var names = Array.AsReadOnly(s_tagNameTable.Where(pair => (tags & pair.Tag) != 0).Select(pair => pair.Name).ToArray());
        Volatile.Write(ref s_tagNames[index], names);
        return names;
    }

    private static void Set(PolicyReason reason, double weight, PolicyRiskTags tags)
    {
        s_weights[(int)reason] = weight;
        s_tags[(int)reason] = tags;
    }
}

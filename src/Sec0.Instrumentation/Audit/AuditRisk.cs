using System.Collections.Concurrent;
using Sec0.Policy;

namespace Sec0.Audit;

/// <summary>
/// Writes a decision's risk into an envelope the way Sec0's TypeScript SDK does (<c>risk_tags</c> = the violated
/// reasons' names, <c>risk_score</c> = min(100, 25 × their number)), keeping .NET's richer view beside it as
/// <c>risk_categories</c> and <c>risk_probability</c>. One place, so hops, the MCP middleware and the gateway agree.
/// </summary>
internal static class AuditRisk
{
    // Violation sets repeat: one shared, immutable name list per set keeps a violating call from allocating one.
    private static readonly ConcurrentDictionary<ulong, IReadOnlyList<string>> s_names = new();

    /// <summary>Points a violated reason adds to <c>risk_score</c>.</summary>
    public const int PointsPerReason = 25;

    /// <summary>Sets the four risk fields of <paramref name="e"/> from <paramref name="decision"/>; a clean call gets only its categories (if any).</summary>
    public static void Apply(AuditEnvelope e, in Decision decision)
    {
        var categories = decision.GetRiskTagNames();
        e.RiskCategories = categories.Count == 0 ? null : categories;
        var violations = decision.Violations;
        if (violations.IsEmpty)
        {
            return;
        }

        e.RiskTags = Names(violations);
        e.RiskScore = Score(violations.Count);
        e.RiskProbability = decision.RiskScore;
    }

    /// <summary>The TypeScript SDK's score for <paramref name="count"/> risk tags.</summary>
    public static int Score(int count) => Math.Min(100, PointsPerReason * count);

    private static IReadOnlyList<string> Names(PolicyReasonSet set) =>
        s_names.TryGetValue(set.Bits, out var cached) ? cached : s_names.GetOrAdd(set.Bits, static (_, s) => Array.AsReadOnly(s.ToNames()), set);
}

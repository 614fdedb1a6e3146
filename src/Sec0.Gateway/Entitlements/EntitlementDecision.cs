namespace Sec0.Gateway.Entitlements;

/// <summary>What <see cref="EntitlementChecker"/> decided for one call.</summary>
/// <param name="Allowed">The caller may call the tool.</param>
/// <param name="Reason">When not: <c>tool_in_denylist</c>, <c>tool_not_in_allowlist</c> or <c>unknown_tenant</c>.</param>
/// <param name="MatchedPattern">The pattern that allowed or denied it, if any.</param>
/// <param name="Plan">The tenant's plan.</param>
/// <param name="Limits">The quotas that apply.</param>
public readonly record struct EntitlementDecision(bool Allowed, string? Reason, string? MatchedPattern, string Plan, ToolLimits Limits);

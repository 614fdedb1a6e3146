namespace Sec0.Gateway.Entitlements;

/// <summary>Quotas of one tool for one tenant.</summary>
/// <param name="RatePerSecond">Calls per second (token bucket, burst twice the rate); null: no rate limit.</param>
/// <param name="CallsPerDay">Calls per UTC day; null: the plan's.</param>
public sealed record ToolLimits(double? RatePerSecond, long? CallsPerDay);

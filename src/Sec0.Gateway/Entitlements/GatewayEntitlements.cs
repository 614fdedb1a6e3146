namespace Sec0.Gateway.Entitlements;

/// <summary>
/// Who may call which tool through the gateway, and how often (<c>gateway.entitlements</c>, the same shape as
/// Sec0's TypeScript gateway): plans with a daily quota, and per tenant an allowlist, a denylist, per-tool
/// limits and lists per user, role and agent.
/// </summary>
public sealed record GatewayEntitlements
{
    /// <summary>The plan of tenants that name none.</summary>
    public required string DefaultPlan { get; init; }

    /// <summary>Plans by name: their calls per UTC day (per tool), null for unlimited.</summary>
    public IReadOnlyDictionary<string, long?> Plans { get; init; } = new Dictionary<string, long?>(StringComparer.Ordinal);

    /// <summary>Tenants by name. A tenant not listed may call nothing.</summary>
    public IReadOnlyDictionary<string, TenantEntitlement> Tenants { get; init; } = new Dictionary<string, TenantEntitlement>(StringComparer.Ordinal);
}

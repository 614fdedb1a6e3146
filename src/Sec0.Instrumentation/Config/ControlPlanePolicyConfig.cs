namespace Sec0.Config;

/// <summary>
/// <c>policy: { source: control-plane, ... }</c>: the policy comes from the control plane (<c>GET /api/policy/{tenant}</c>)
/// instead of a file, is refreshed every <see cref="RefreshTtl"/>, and the last good one is kept on disk for when the
/// control plane is down (docs/control-plane.md).
/// </summary>
public sealed record ControlPlanePolicyConfig
{
    /// <summary>The refresh interval used when <c>refreshTtlMs</c> is absent: the TypeScript SDK's for hops.</summary>
    public static readonly TimeSpan DefaultRefreshTtl = TimeSpan.FromSeconds(60);

    /// <summary><c>level</c>: <c>middleware</c> (default) or <c>gateway</c>.</summary>
    public string Level { get; init; } = "middleware";

    /// <summary><c>nodeId</c>: fetch this node's policy instead of the tenant's base policy; null for the base.</summary>
    public string? NodeId { get; init; }

    /// <summary><c>refreshTtlMs</c>: how long a fetched policy is used before it is fetched again (at least 1 s).</summary>
    public TimeSpan RefreshTtl { get; init; } = DefaultRefreshTtl;

    /// <summary><c>fallbackToBase</c>: when the node's policy is empty, use the tenant's base policy (default true).</summary>
    public bool FallbackToBase { get; init; } = true;
}

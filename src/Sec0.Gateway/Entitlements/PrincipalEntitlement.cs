using Sec0.Policy;

namespace Sec0.Gateway.Entitlements;

/// <summary>What one user, role or agent may call, on top of its tenant's lists.</summary>
public sealed record PrincipalEntitlement
{
    /// <summary>Tool patterns this principal may call in addition to the tenant's allowlist.</summary>
    public IReadOnlyList<ToolRefPattern> Allowlist { get; init; } = [];

    /// <summary>Tool patterns this principal may never call.</summary>
    public IReadOnlyList<ToolRefPattern> Denylist { get; init; } = [];
}

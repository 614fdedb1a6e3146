using Sec0.Policy;

namespace Sec0.Gateway.Entitlements;

/// <summary>A tenant's plan, tool lists and per-tool limits (<c>gateway.entitlements.tenants.&lt;tenant&gt;</c>).</summary>
public sealed record TenantEntitlement
{
    /// <summary>The tenant's plan (its daily quota); null: the default plan.</summary>
    public string? Plan { get; init; }

    /// <summary>The tools the tenant may call (<c>mcp://server/tool@version</c> patterns).</summary>
    public IReadOnlyList<ToolRefPattern> Allowlist { get; init; } = [];

    /// <summary>The tools the tenant may never call; a deny wins over every allow.</summary>
    public IReadOnlyList<ToolRefPattern> Denylist { get; init; } = [];

    /// <summary>Limits for single tools, by exact tool ref (<c>mcp://server/tool@version</c>).</summary>
    public IReadOnlyDictionary<string, ToolLimits> PerTool { get; init; } = new Dictionary<string, ToolLimits>(StringComparer.Ordinal);

    /// <summary>Lists by user (the credential's user).</summary>
    public IReadOnlyDictionary<string, PrincipalEntitlement> Users { get; init; } = new Dictionary<string, PrincipalEntitlement>(StringComparer.Ordinal);

    /// <summary>Lists by role (any of the credential's roles).</summary>
    public IReadOnlyDictionary<string, PrincipalEntitlement> Roles { get; init; } = new Dictionary<string, PrincipalEntitlement>(StringComparer.Ordinal);

    /// <summary>Lists by agent (the caller's <c>x-agent-ref</c> run-independent agent, i.e. its node id).</summary>
    public IReadOnlyDictionary<string, PrincipalEntitlement> Agents { get; init; } = new Dictionary<string, PrincipalEntitlement>(StringComparer.Ordinal);
}

using Sec0.Policy;

namespace Sec0.Gateway.Entitlements;

/// <summary>
/// Decides from <see cref="GatewayEntitlements"/> whether a caller may call a tool and which quotas apply.
/// Patterns are the policy's <see cref="ToolRefPattern"/> (matched segment by segment, never over a raw
/// string), a deny anywhere wins, and a tenant that is not listed is denied: no entitlement, no call.
/// </summary>
public sealed class EntitlementChecker
{
    private static readonly ToolLimits s_none = new(null, null);
    private readonly GatewayEntitlements _entitlements;

    /// <summary>Creates a checker over <paramref name="entitlements"/>.</summary>
    public EntitlementChecker(GatewayEntitlements entitlements)
    {
        ArgumentNullException.ThrowIfNull(entitlements);
        _entitlements = entitlements;
    }

    /// <summary>Decides one call.</summary>
    /// <param name="tenant">The caller's tenant.</param>
    /// <param name="user">The caller's user, if any.</param>
    /// <param name="roles">The caller's roles.</param>
    /// <param name="agent">The calling agent's node id, if any.</param>
    /// <param name="server">The target server.</param>
    /// <param name="tool">The tool.</param>
    /// <param name="version">The tool's version.</param>
    /// <param name="toolRef">The tool ref, <c>mcp://server/tool@version</c>.</param>
    public EntitlementDecision Check(string tenant, string? user, IReadOnlyList<string> roles, string? agent, string server, string tool, string version, string toolRef)
    {
        if (!_entitlements.Tenants.TryGetValue(tenant, out var entry))
        {
            return new EntitlementDecision(false, "unknown_tenant", null, _entitlements.DefaultPlan, s_none);
        }

        var plan = entry.Plan ?? _entitlements.DefaultPlan;
        var planDaily = _entitlements.Plans.TryGetValue(plan, out var daily) ? daily : null;
        var perTool = entry.PerTool.TryGetValue(toolRef, out var limits) ? limits : null;
        var applied = new ToolLimits(perTool?.RatePerSecond, perTool?.CallsPerDay ?? planDaily);

        // Every deny list that applies to this caller, then every allow list: a deny anywhere wins.
        if (Match(entry.Denylist, server, tool, version) is { } tenantDeny)
        {
            return new EntitlementDecision(false, "tool_in_denylist", tenantDeny, plan, applied);
        }

        string? allowed = Match(entry.Allowlist, server, tool, version);
        foreach (var principal in Principals(entry, user, roles, agent))
        {
            if (Match(principal.Denylist, server, tool, version) is { } deny)
            {
                return new EntitlementDecision(false, "tool_in_denylist", deny, plan, applied);
            }

            allowed ??= Match(principal.Allowlist, server, tool, version);
        }

        return allowed is not null
            ? new EntitlementDecision(true, null, allowed, plan, applied)
            : new EntitlementDecision(false, "tool_not_in_allowlist", null, plan, applied);
    }

    private static IEnumerable<PrincipalEntitlement> Principals(TenantEntitlement entry, string? user, IReadOnlyList<string> roles, string? agent)
    {
        if (user is not null && entry.Users.TryGetValue(user, out var byUser))
        {
            yield return byUser;
        }

        foreach (var role in roles)
        {
            if (entry.Roles.TryGetValue(role, out var byRole))
            {
                yield return byRole;
            }
        }

        if (agent is not null && entry.Agents.TryGetValue(agent, out var byAgent))
        {
            yield return byAgent;
        }
    }

    private static string? Match(IReadOnlyList<ToolRefPattern> patterns, string server, string tool, string version)
    {
        foreach (var pattern in patterns)
        {
            if (pattern.IsMatch(server, tool, version))
            {
                return pattern.Text;
            }
        }

        return null;
    }
}

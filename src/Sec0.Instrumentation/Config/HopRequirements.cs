// This file is also compiled into the Sec0 analyzers (netstandard2.0) so that the build reports the same
// rules as the runtime loader: keep it to plain C# and netstandard2.0 APIs, and free of YamlDotNet.
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace Sec0.Config;

/// <summary>
/// The rules for <c>app.hops</c> entries that do not depend on YAML: the names of the hop types and the
/// fields each type requires, with their fallbacks.
/// </summary>
public static class HopRequirements
{
    /// <summary>The field that names an entry's type.</summary>
    public const string TypeField = "type";

    private static readonly ReadOnlyCollection<string> s_agent = Array.AsReadOnly(new[] { "nodeId", "agentName", "agentVersion" });
    private static readonly ReadOnlyCollection<string> s_orchestrator = Array.AsReadOnly(new[] { "nodeId", "orchestratorName", "orchestratorVersion" });
    private static readonly ReadOnlyCollection<string> s_gateway = Array.AsReadOnly(new[] { "gateway", "nodeId", "gatewayBaseUrl", "tenant" });
    private static readonly ReadOnlyCollection<string> s_server = Array.AsReadOnly(new[] { "server", "nodeId" });
    private static readonly ReadOnlyCollection<string> s_middleware = Array.AsReadOnly(new[] { "middleware", "op", "nodeId" });
    private static readonly ReadOnlyCollection<string> s_tool = Array.AsReadOnly(new[] { "server", "tool", "nodeId" });
    private static readonly ReadOnlyCollection<string> s_skill = Array.AsReadOnly(new[] { "skill", "nodeId" });
    private static readonly ReadOnlyCollection<string> s_none = Array.AsReadOnly(new string[0]);

    /// <summary>The YAML names of every hop type, in declaration order.</summary>
    public static IReadOnlyList<string> TypeNames { get; } =
        Array.AsReadOnly(new[] { "agent", "orchestrator", "gateway", "server", "middleware", "tool", "skill" });

    /// <summary>
    /// Parses a YAML type name (<c>agent</c>, <c>orchestrator</c>, ...). Surrounding white space and letter
    /// case are ignored. Returns false for anything else, including an empty name.
    /// </summary>
    public static bool TryParseHopType(string? yamlName, out HopType type)
    {
        type = HopType.Unspecified;
        if (yamlName == null)
        {
            return false;
        }

        switch (yamlName.Trim().ToLowerInvariant())
        {
            case "agent": type = HopType.Agent; return true;
            case "orchestrator": type = HopType.Orchestrator; return true;
            case "gateway": type = HopType.Gateway; return true;
            case "server": type = HopType.Server; return true;
            case "middleware": type = HopType.Middleware; return true;
            case "tool": type = HopType.Tool; return true;
            case "skill": type = HopType.Skill; return true;
            default: return false;
        }
    }

    /// <summary>The lowercase YAML name of a hop type, as used in config files and error messages.</summary>
    public static string GetYamlName(HopType type)
    {
        switch (type)
        {
            case HopType.Agent: return "agent";
            case HopType.Orchestrator: return "orchestrator";
            case HopType.Gateway: return "gateway";
            case HopType.Server: return "server";
            case HopType.Middleware: return "middleware";
            case HopType.Tool: return "tool";
            case HopType.Skill: return "skill";
            default: return "unspecified";
        }
    }

    /// <summary>
    /// The fields an entry of <paramref name="type"/> must have non-empty, in the order they are checked
    /// (after fallbacks, see <see cref="GetFallbackPath"/>). Empty for <see cref="HopType.Unspecified"/>.
    /// </summary>
    public static IReadOnlyList<string> GetRequiredFields(HopType type)
    {
        switch (type)
        {
            case HopType.Agent: return s_agent;
            case HopType.Orchestrator: return s_orchestrator;
            case HopType.Gateway: return s_gateway;
            case HopType.Server: return s_server;
            case HopType.Middleware: return s_middleware;
            case HopType.Tool: return s_tool;
            case HopType.Skill: return s_skill;
            default: return s_none;
        }
    }

    /// <summary>
    /// The config path a required field falls back to when the hop entry leaves it out (for example
    /// <c>app.client.name</c> for an orchestrator's <c>orchestratorName</c>), or null when it has none.
    /// </summary>
    public static string? GetFallbackPath(HopType type, string field)
    {
        if (type == HopType.Orchestrator)
        {
            if (field == "orchestratorName")
            {
                return "app.client.name";
            }

            if (field == "orchestratorVersion")
            {
                return "app.client.version";
            }
        }
        else if (type == HopType.Gateway)
        {
            if (field == "gatewayBaseUrl")
            {
                return "orchestrator.gatewayBaseUrl";
            }

            if (field == "tenant")
            {
                return "app.tenant";
            }
        }

        return null;
    }

    /// <summary>The <c>[sec0] Hop "&lt;key&gt;" requires ...</c> text for a required field that is missing or empty.</summary>
    public static string FormatMissingFieldMessage(string key, string field)
    {
        if (field == "gatewayBaseUrl")
        {
            return "[sec0] Hop \"" + key + "\" requires 'gatewayBaseUrl'. Provide it in app.hops or orchestrator.gatewayBaseUrl.";
        }

        return "[sec0] Hop \"" + key + "\" requires a non-empty '" + field + "' value.";
    }
}

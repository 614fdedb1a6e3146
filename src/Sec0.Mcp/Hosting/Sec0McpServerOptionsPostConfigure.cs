using System.Reflection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Sec0.Mcp;

/// <summary>
/// Runs after every <c>Configure</c> of <see cref="McpServerOptions"/> (so after the SDK collected the DI-registered
/// tools), i.e. when the server is built: installs the freezable registry with the tools registered so far and
/// freezes it, and installs Sec0's call-tool and tools/list filters where nothing can get around them.
/// </summary>
internal sealed class Sec0McpServerOptionsPostConfigure : IPostConfigureOptions<McpServerOptions>
{
    private readonly Sec0McpRuntime _runtime;
    private readonly Sec0ToolCallGuard _callGuard;
    private readonly Sec0ToolListGuard _listGuard;

    public Sec0McpServerOptionsPostConfigure(Sec0McpRuntime runtime, Sec0ToolCallGuard callGuard, Sec0ToolListGuard listGuard)
    {
        _runtime = runtime;
        _callGuard = callGuard;
        _listGuard = listGuard;
    }

    public void PostConfigure(string? name, McpServerOptions options)
    {
        if (options.ToolCollection is not Sec0FreezableToolCollection registry)
        {
            Sec0FreezableToolCollection? created = null;
            created = new Sec0FreezableToolCollection((operation, tool) => _runtime.RecordRegistryMutation(created!, operation, tool));
            foreach (var tool in options.ToolCollection ?? [])
            {
                created.TryAdd(tool);
            }

            options.ToolCollection = registry = created;
        }

        // The SDK's own default when ServerInfo is unset is the entry assembly's name and version.
        var assemblyName = Assembly.GetEntryAssembly()?.GetName();
        var serverName = options.ServerInfo?.Name ?? assemblyName?.Name ?? nameof(McpServer);
        var serverVersion = options.ServerInfo?.Version ?? assemblyName?.Version?.ToString() ?? "1.0.0";
        registry.Freeze(serverName, serverVersion, _runtime.BodyHashOf);

        var request = options.Filters.Request;
        if (request.CallToolFilters is not Sec0CallToolFilterList)
        {
            request.CallToolFilters = new Sec0CallToolFilterList(_callGuard.Outermost, _callGuard.Innermost, request.CallToolFilters);
        }

        request.ListToolsFilters.Insert(0, _listGuard.Outermost);
    }
}

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Sec0.Mcp;

/// <summary>
/// Registered ahead of every other hosted service: loads Sec0 (policy, key, audit directory) and builds and
/// freezes the server's options when the host starts, so a bad option stops start-up with its name instead of
/// failing the first tool call. Flushes the audit log when the host stops.
/// </summary>
internal sealed class Sec0McpStartupService : IHostedService
{
    private readonly IServiceProvider _services;

    public Sec0McpStartupService(IServiceProvider services)
    {
        _services = services;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = (Sec0McpRuntime)_services.GetService(typeof(Sec0McpRuntime))!;
        var options = ((IOptions<McpServerOptions>)_services.GetService(typeof(IOptions<McpServerOptions>))!).Value;

        // Every Configure and PostConfigure has run now: if one replaced what Sec0 installed, tool calls would
        // bypass Sec0 silently. Refuse to start instead.
        if (options.ToolCollection is not Sec0FreezableToolCollection { IsFrozen: true })
        {
            throw new Sec0McpOptionsException(
                "McpServerOptions.ToolCollection",
                "was replaced after Sec0 installed its frozen registry; register tools through WithTools or Configure, and do not replace the collection.");
        }

        if (options.Filters.Request.CallToolFilters is not Sec0CallToolFilterList)
        {
            throw new Sec0McpOptionsException(
                "McpServerOptions.Filters.Request.CallToolFilters",
                "was replaced after Sec0 installed its filters; add filters with WithRequestFilters or to the existing list instead.");
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var runtime = (Sec0McpRuntime)_services.GetService(typeof(Sec0McpRuntime))!;
        await runtime.Appender.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}

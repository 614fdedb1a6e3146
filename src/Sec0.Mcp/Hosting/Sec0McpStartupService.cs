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
        _ = ((IOptions<McpServerOptions>)_services.GetService(typeof(IOptions<McpServerOptions>))!).Value;
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var runtime = (Sec0McpRuntime)_services.GetService(typeof(Sec0McpRuntime))!;
        await runtime.Appender.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sec0.Gateway.Pipeline;

namespace Sec0.Gateway;

/// <summary>Builds the gateway's runtime when the host starts, so that every option problem stops start-up.</summary>
internal sealed class GatewayStartupService(GatewayRequestHandler handler, GatewayRuntime runtime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = handler;
        if (runtime.Validators.Count == 0)
        {
            runtime.Logger.LogWarning("[sec0-gateway] No authentication is configured: every caller is trusted as tenant {Tenant}. Set gateway.authn for anything but local development.", runtime.Tenant);
        }

        runtime.Logger.LogInformation("[sec0-gateway] {Gateway} serves {Count} target(s): {Targets}.", runtime.GatewayId, runtime.Upstreams.Count, string.Join(", ", runtime.Upstreams.Keys.Order(StringComparer.Ordinal)));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

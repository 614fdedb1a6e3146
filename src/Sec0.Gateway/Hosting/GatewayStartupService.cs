using Microsoft.Extensions.Hosting;
using Sec0.Gateway.Pipeline;

namespace Sec0.Gateway;

/// <summary>
/// Builds the gateway's runtime when the host starts, so that every option problem stops start-up, and opens its
/// shared state. <see cref="StartingAsync"/> runs before any hosted service's start, the web server's included, so no
/// request arrives before the stores are there.
/// </summary>
internal sealed class GatewayStartupService(GatewayRequestHandler handler, GatewayRuntime runtime) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => runtime.OpenStateAsync(cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = handler;
        if (runtime.Validators.Count == 0)
        {
            runtime.Logger.GatewayNoAuthentication(runtime.Tenant);
        }

        runtime.Logger.GatewayServing(runtime.GatewayId, runtime.Upstreams.Count, string.Join(", ", runtime.Upstreams.Keys.Order(StringComparer.Ordinal)));
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

using Microsoft.Extensions.Hosting;

namespace Sec0.Hosting;

/// <summary>
/// Initializes Sec0 as the host starts, before any hosted service's <c>StartAsync</c>, so config errors stop start-up
/// rather than the first hop call and hops in other hosted services are covered; flushes the audit log when the host
/// stops. Disposing <see cref="Sec0AppStartup"/> (or the container's <see cref="Sec0App"/>) then seals the log.
/// </summary>
internal sealed class Sec0HostedService(Sec0AppStartup startup) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => startup.InitializeAsync(cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (startup.Created is { } app)
        {
            await app.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

using Microsoft.Extensions.Hosting;

namespace Sec0.Hosting;

/// <summary>
/// Initializes Sec0 when the host starts, so config errors stop start-up rather than the first hop
/// call, and flushes the audit log when it stops. The container's disposal of <see cref="Sec0App"/>
/// then seals the log.
/// </summary>
internal sealed class Sec0HostedService(Sec0App app) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken) => await app.FlushAsync(cancellationToken).ConfigureAwait(false);
}

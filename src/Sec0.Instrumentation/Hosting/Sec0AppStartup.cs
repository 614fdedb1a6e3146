using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Sec0.Hosting;

/// <summary>
/// The host's one <see cref="Sec0App"/>: created asynchronously when the host starts (control-plane calls and DAST
/// <c>mode: sync</c> scans are awaited, not waited on), or synchronously when something resolves it before that.
/// </summary>
internal sealed class Sec0AppStartup(IOptions<Sec0HostingOptions> options, IServiceProvider services) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private Task<Sec0App>? _app;

    /// <summary>The app, created now if the host has not started it yet; a start-up failure is thrown again here.</summary>
    public Sec0App App
    {
        // Only when resolved before the host starts (or while it starts) does this block.
        get => InitializeAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>The app when it has been created successfully; otherwise null (nothing is created here).</summary>
    public Sec0App? Created
    {
        get
        {
            lock (_gate)
            {
                return _app is { IsCompletedSuccessfully: true } app ? app.Result : null;
            }
        }
    }

    /// <summary>Creates the app once; every later call gets the same task, with its result or its failure.</summary>
    public Task<Sec0App> InitializeAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _app ??= CreateAsync(cancellationToken);
        }
    }

    private Task<Sec0App> CreateAsync(CancellationToken cancellationToken)
    {
        var hosting = options.Value;
        var path = hosting.ConfigPath;
        if (!Path.IsPathRooted(path) && services.GetService(typeof(IHostEnvironment)) is IHostEnvironment env)
        {
            path = Path.Combine(env.ContentRootPath, path);
        }

        return Sec0App.InitializeAsync(
            path,
            new Sec0AppOptions
            {
                LoggerFactory = services.GetService(typeof(ILoggerFactory)) as ILoggerFactory,
                TimeProvider = services.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System,
                CreateSigningKeyIfMissing = hosting.CreateSigningKeyIfMissing,

                // A host with its own OpenTelemetry pipeline exports Sec0's sources (AddSec0 adds them to it); Sec0 starts none.
                ExportTelemetry = HasOwnOpenTelemetry() ? false : null,
            },
            cancellationToken);
    }

    private bool HasOwnOpenTelemetry() =>
        services.GetService(typeof(IServiceProviderIsService)) is IServiceProviderIsService registered
        && (registered.IsService(typeof(TracerProvider)) || registered.IsService(typeof(MeterProvider)));

    /// <summary>Seals the log of an app that was created (the container may dispose it too; that is a no-op then).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Created is { } app)
        {
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }
}

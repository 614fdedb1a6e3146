using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sec0.Gateway;

/// <summary>
/// A gateway started in one call, for scripts and samples: <c>await using var gateway = await
/// Sec0Gateway.StartAsync(options);</c>. In an ASP.NET Core app use <c>AddSec0Gateway</c> and <c>MapSec0Gateway</c>.
/// </summary>
public sealed class Sec0Gateway : IAsyncDisposable
{
    private readonly WebApplication _app;

    private Sec0Gateway(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>Where the gateway listens, e.g. <c>http://127.0.0.1:8080/</c>.</summary>
    public Uri Url { get; }

    /// <summary>
    /// Starts a gateway with <paramref name="options"/> on <see cref="Sec0GatewayOptions.Host"/>:<see cref="Sec0GatewayOptions.Port"/>.
    /// It runs until disposed; a console app that should stop on Ctrl+C disposes it then (samples/Gateway shows how).
    /// </summary>
    /// <exception cref="Sec0GatewayOptionsException">An option is missing or wrong; what the options' loader opened is closed again.</exception>
    public static async Task<Sec0Gateway> StartAsync(Sec0GatewayOptions options, Action<ILoggingBuilder>? logging = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            return await StartCoreAsync(options.Host, options.Port, services => Sec0GatewayServiceCollectionExtensions.AddCore(services, _ => options), logging, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // A config-loaded audit log and key would otherwise keep the audit folder locked.
            foreach (var owned in options.Owned)
            {
                if (owned is IAsyncDisposable asyncDisposable)
                {
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                }
                else
                {
                    (owned as IDisposable)?.Dispose();
                }
            }

            throw;
        }
    }

    /// <summary>Starts the gateway of the <c>gateway:</c> block of <paramref name="configPath"/>.</summary>
    /// <exception cref="Sec0.Config.Sec0ConfigException">The config is missing or invalid.</exception>
    public static Task<Sec0Gateway> StartAsync(string configPath, Action<ILoggingBuilder>? logging = null, CancellationToken cancellationToken = default)
        => StartAsync(GatewayConfigLoader.Load(configPath), logging, cancellationToken);

    /// <summary>Stops accepting requests, lets running ones finish, flushes the audit log and closes the upstreams.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task<Sec0Gateway> StartCoreAsync(string host, int port, Action<IServiceCollection> add, Action<ILoggingBuilder>? logging, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (logging is not null)
        {
            logging(builder.Logging);
        }

        builder.WebHost.UseKestrel(kestrel =>
        {
            if (IPAddress.TryParse(host, out var address))
            {
                kestrel.Listen(address, port);
            }
            else if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                kestrel.ListenLocalhost(port);
            }
            else
            {
                throw new Sec0GatewayOptionsException($"[sec0-gateway] gateway.host \"{host}\" is not an IP address or localhost: use 127.0.0.1 (this machine only) or 0.0.0.0 (every interface).");
            }
        });
        add(builder.Services);
        var app = builder.Build();
        app.MapSec0Gateway();
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Sec0Gateway(app, new Uri(address.EndsWith('/') ? address : address + "/"));
    }
}

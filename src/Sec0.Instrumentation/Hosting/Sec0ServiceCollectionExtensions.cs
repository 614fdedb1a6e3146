using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sec0.Agents;

namespace Sec0.Hosting;

/// <summary>Registers Sec0 in a hosted app.</summary>
public static class Sec0ServiceCollectionExtensions
{
    /// <summary>
    /// Adds Sec0: loads <c>sec0.config.yaml</c> (from the content root by default) when the host starts,
    /// routes every <c>[Sec0Hop]</c> call through it, logs through the host's <see cref="ILoggerFactory"/>,
    /// and flushes and seals the audit log when the host stops. <see cref="Sec0App"/> is a singleton.
    /// </summary>
    public static IServiceCollection AddSec0(this IServiceCollection services, Action<Sec0HostingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new Sec0HostingOptions();
        configure?.Invoke(options);
        services.AddSingleton(sp =>
        {
            var path = options.ConfigPath;
            if (!Path.IsPathRooted(path) && sp.GetService<IHostEnvironment>() is { } env)
            {
                path = Path.Combine(env.ContentRootPath, path);
            }

            return Sec0App.Initialize(path, new Sec0AppOptions
            {
                LoggerFactory = sp.GetService<ILoggerFactory>(),
                TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System,
                CreateSigningKeyIfMissing = options.CreateSigningKeyIfMissing,
            });
        });
        services.AddHostedService<Sec0HostedService>();
        services.AddTransient<Sec0AgentStateHandler>();
        return services;
    }

    /// <summary>Sends the running hop's agent state with this client's requests (<see cref="Sec0AgentStateHandler"/>).</summary>
    public static IHttpClientBuilder AddSec0AgentState(this IHttpClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddTransient<Sec0AgentStateHandler>();
        return builder.AddHttpMessageHandler<Sec0AgentStateHandler>();
    }
}

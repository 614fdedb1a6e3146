using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sec0.Gateway.Pipeline;
using Sec0.Gateway.Upstreams;

namespace Sec0.Gateway;

/// <summary>Registers the Sec0 gateway in an ASP.NET Core app; <c>app.MapSec0Gateway()</c> then serves it.</summary>
public static class Sec0GatewayServiceCollectionExtensions
{
    /// <summary>
    /// Adds the gateway with options set in code. The options are checked when the host starts: a missing audit
    /// appender, tenant or target fails start-up with a message naming the option.
    /// </summary>
    public static IServiceCollection AddSec0Gateway(this IServiceCollection services, Action<Sec0GatewayOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<Sec0GatewayOptions>().Configure(configure);
        return AddCore(services, static sp => sp.GetRequiredService<IOptions<Sec0GatewayOptions>>().Value);
    }

    /// <summary>
    /// Adds the gateway with the options of the <c>gateway:</c> block of <paramref name="configPath"/>
    /// (<see cref="GatewayConfigLoader"/>); the audit log the file describes is opened when the host starts.
    /// </summary>
    public static IServiceCollection AddSec0Gateway(this IServiceCollection services, string configPath)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(configPath);
        return AddCore(services, sp => GatewayConfigLoader.Load(configPath, loggerFactory: sp.GetService<ILoggerFactory>(), timeProvider: sp.GetService<TimeProvider>()));
    }

    internal static IServiceCollection AddCore(IServiceCollection services, Func<IServiceProvider, Sec0GatewayOptions> options)
    {
        services.TryAddSingleton(sp => new GatewayRuntime(
            options(sp),
            (server, target) => GatewayUpstreamFactory.Create(server, target, sp.GetService<ILoggerFactory>()),
            sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton<GatewayRequestHandler>();
        services.TryAddSingleton<GatewayApprovalStatusHandler>();

        // Resolving the runtime at start-up is what makes option errors fail start-up, not the first request.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, GatewayStartupService>());
        return services;
    }
}

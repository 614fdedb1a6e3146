using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Sec0;
using Sec0.Agents;
using Sec0.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Sec0 in a hosted app (in this namespace, as other libraries' <c>Add…</c> methods are, so it needs no extra using).</summary>
public static class Sec0ServiceCollectionExtensions
{
    /// <summary>
    /// Adds Sec0: loads <c>sec0.config.yaml</c> (from the content root by default) as the host starts, before any hosted service,
    /// routes every <c>[Sec0Hop]</c> call through it, logs through the host's <see cref="ILoggerFactory"/>,
    /// and flushes and seals the audit log when the host stops. <see cref="Sec0App"/> is a singleton. When the app sets up
    /// OpenTelemetry in the container, its tracer and meter providers get Sec0's source and meter, and Sec0 does not export
    /// by itself (docs/observability.md).
    /// </summary>
    /// <remarks>
    /// <see cref="Sec0HostingOptions"/> follow the options pattern: <paramref name="configure"/> is one of its configure steps
    /// (<c>services.Configure&lt;Sec0HostingOptions&gt;(...)</c> works too), the options are validated when the host starts, and
    /// calling <c>AddSec0</c> again adds configuration, not a second app.
    /// </remarks>
    public static IServiceCollection AddSec0(this IServiceCollection services, Action<Sec0HostingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<Sec0HostingOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options
            .Validate(o => !string.IsNullOrWhiteSpace(o.ConfigPath), "[sec0] Sec0HostingOptions.ConfigPath is empty: set it to the path of sec0.config.yaml (relative paths resolve against the content root).")
            .ValidateOnStart();

        // Should the app set up OpenTelemetry (AddOpenTelemetry().WithTracing/WithMetrics), its providers get Sec0's
        // source and meter without a call to AddSec0Instrumentation; the callbacks do nothing otherwise.
        if (!services.Any(d => d.ServiceType == typeof(Sec0AppStartup)))
        {
            services.ConfigureOpenTelemetryTracerProvider(t => t.AddSec0Instrumentation());
            services.ConfigureOpenTelemetryMeterProvider(m => m.AddSec0Instrumentation());
        }

        services.TryAddSingleton<Sec0AppStartup>();
        services.TryAddSingleton(sp => sp.GetRequiredService<Sec0AppStartup>().App);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, Sec0HostedService>());
        services.TryAddTransient<Sec0AgentStateHandler>();
        return services;
    }

    /// <summary>Sends the running hop's agent state with this client's requests (<see cref="Sec0AgentStateHandler"/>).</summary>
    public static IHttpClientBuilder AddSec0AgentState(this IHttpClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddTransient<Sec0AgentStateHandler>();
        return builder.AddHttpMessageHandler<Sec0AgentStateHandler>();
    }
}

using Sec0.Telemetry;

namespace OpenTelemetry.Metrics;

/// <summary>Adds Sec0's metrics to an OpenTelemetry meter provider, as OpenTelemetry instrumentation libraries do.</summary>
public static class Sec0MeterProviderBuilderExtensions
{
    /// <summary>
    /// Listens to the <c>Sec0</c> Meter: decisions, denials, escalations, hop durations, the audit writer's queue,
    /// writes, fsyncs and signatures, scan verdicts, and the gateway's requests and quota rejections
    /// (docs/observability.md lists them).
    /// </summary>
    /// <param name="builder">The application's meter provider builder.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static MeterProviderBuilder AddSec0Instrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(Sec0Metrics.MeterName);
    }
}

using Sec0;

namespace OpenTelemetry.Trace;

/// <summary>Adds Sec0's spans to an OpenTelemetry tracer, as OpenTelemetry instrumentation libraries do.</summary>
public static class Sec0TracerProviderBuilderExtensions
{
    /// <summary>
    /// Listens to the <c>Sec0</c> ActivitySource: a span per <c>[Sec0Hop]</c> call, MCP tool call and gateway request,
    /// whose trace id is the <c>trace_id</c> of its audit envelope.
    /// </summary>
    /// <param name="builder">The application's tracer provider builder.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static TracerProviderBuilder AddSec0Instrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(Sec0App.ActivitySourceName);
    }
}

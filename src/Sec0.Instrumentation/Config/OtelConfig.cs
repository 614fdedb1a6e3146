namespace Sec0.Config;

/// <summary>
/// The optional <c>otel</c> block: where Sec0 exports its spans and metrics itself, for an application without an
/// OpenTelemetry setup of its own (docs/observability.md).
/// </summary>
public sealed record OtelConfig
{
    /// <summary>
    /// <c>otel.endpoint</c>, else <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>: the OTLP/HTTP base address (<c>http://collector:4318</c>);
    /// traces go to <c>/v1/traces</c> and metrics to <c>/v1/metrics</c> under it. Null: Sec0 exports nothing itself.
    /// </summary>
    public Uri? Endpoint { get; init; }

    /// <summary><c>otel.serviceName</c>: the <c>service.name</c> resource attribute; the client name (or <c>sec0</c>) when absent.</summary>
    public string? ServiceName { get; init; }

    /// <summary><c>otel.environment</c>: the <c>deployment.environment.name</c> attribute; <c>app.environment</c> when absent.</summary>
    public string? Environment { get; init; }

    /// <summary>
    /// <c>otel.export</c> (default true): false when the application exports through its own OpenTelemetry pipeline
    /// (<c>AddSec0Instrumentation()</c>) and Sec0 must only add its sources there, even with an endpoint set.
    /// </summary>
    public bool Export { get; init; } = true;

    /// <summary>True when Sec0 starts its own OTLP export.</summary>
    public bool SelfExport => Export && Endpoint is not null;
}

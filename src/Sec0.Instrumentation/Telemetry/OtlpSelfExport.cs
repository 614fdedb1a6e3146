using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Sec0.Config;

namespace Sec0.Telemetry;

/// <summary>
/// Sec0's own OTLP/HTTP export of its spans and metrics, for an application without an OpenTelemetry setup: started
/// by <see cref="Sec0App"/> only when <see cref="OtelConfig.SelfExport"/>, and flushed and stopped with it.
/// </summary>
internal sealed class OtlpSelfExport : IDisposable
{
    private readonly TracerProvider _tracer;
    private readonly MeterProvider _meter;

    private OtlpSelfExport(TracerProvider tracer, MeterProvider meter)
    {
        _tracer = tracer;
        _meter = meter;
    }

    /// <summary>
    /// Starts exporting to <see cref="OtelConfig.Endpoint"/>; null when the config does not ask for it or
    /// <paramref name="export"/> is false (the application exports).
    /// </summary>
    public static OtlpSelfExport? Start(Sec0Config config, bool? export)
    {
        var otel = config.Otel;
        if (!otel.SelfExport || export == false)
        {
            return null;
        }

        var serviceName = otel.ServiceName ?? config.App.Client.Name ?? "sec0";
        var environment = otel.Environment ?? config.App.Environment;
        void Resource(ResourceBuilder r) => r.AddService(serviceName, serviceVersion: config.App.Client.Version)
            .AddAttributes([new("deployment.environment.name", environment)]);

        var baseAddress = otel.Endpoint!.AbsoluteUri.TrimEnd('/');
        var tracer = Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(Resource)
            .AddSec0Instrumentation()
            .AddOtlpExporter(o => Configure(o, baseAddress + "/v1/traces"))
            .Build();
        var meter = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(Resource)
            .AddSec0Instrumentation()
            .AddOtlpExporter(o => Configure(o, baseAddress + "/v1/metrics"))
            .Build();
        return new OtlpSelfExport(tracer, meter);
    }

    private static void Configure(OtlpExporterOptions options, string endpoint)
    {
        options.Protocol = OtlpExportProtocol.HttpProtobuf;
        options.Endpoint = new Uri(endpoint);
    }

    /// <summary>Exports what is pending (the last spans and a final metrics collection) and stops.</summary>
    public void Dispose()
    {
        _tracer.Dispose();
        _meter.Dispose();
    }
}

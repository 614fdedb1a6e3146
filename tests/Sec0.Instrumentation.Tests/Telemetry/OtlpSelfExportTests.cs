using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Sec0.Config;
using Sec0.Instrumentation.Tests.Hops;
using Sec0.Instrumentation.Tests.Support;

namespace Sec0.Instrumentation.Tests.Telemetry;

/// <summary>
/// Sec0 exporting over OTLP/HTTP by itself when <c>otel.endpoint</c> is set, to an OTLP receiver on 127.0.0.1 in the
/// test; and not when <c>otel.export: false</c> says the application exports.
/// </summary>
[Collection(nameof(Sec0AppCollection))]
public sealed class OtlpSelfExportTests : IAsyncLifetime
{
    private const string ServiceName = "otlp-self-export-tests";
    private readonly TempDirectory _dir = new("sec0-otlp");
    private readonly Ledger _ledger = new();
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _requests = new();
    private WebApplication _receiver = null!;
    private string _endpoint = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _receiver = builder.Build();
        _receiver.MapPost("/v1/{signal}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            _requests.Enqueue((context.Request.Path.Value!, body.ToArray()));
            return Results.Ok();
        });
        await _receiver.StartAsync();
        _endpoint = _receiver.Urls.Single();
    }

    public async Task DisposeAsync()
    {
        Sec0App.Current?.Dispose();
        await _receiver.DisposeAsync();
        _dir.Dispose();
    }

    private Sec0App Start(string otel) => LedgerApp.Start(_dir, "otlp-tests", otel);

    private void WriteConfig(string otel) => LedgerApp.WriteFiles(_dir, "otlp-tests", otel);

    private static bool Holds(byte[] body, string text) => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    [Fact]
    public async Task With_an_endpoint_the_spans_and_metrics_reach_the_receiver_with_the_service_name()
    {
        var app = Start($"otel: {{ endpoint: \"{_endpoint}\", serviceName: {ServiceName} }}");

        _ledger.Transfer("acme", 5m);

        // Disposing the app flushes its exporters: the last spans and a final metrics collection.
        await app.DisposeAsync();

        var traces = _requests.Where(r => r.Path == "/v1/traces").ToList();
        Assert.Contains(traces, r => Holds(r.Body, ServiceName) && Holds(r.Body, "execute_tool transfer") && Holds(r.Body, "gen_ai.tool.name"));
        var metrics = _requests.Where(r => r.Path == "/v1/metrics").ToList();
        Assert.Contains(metrics, r => Holds(r.Body, ServiceName) && Holds(r.Body, "sec0.decisions") && Holds(r.Body, "sec0.hop.duration"));
    }

    [Fact]
    public async Task With_export_false_Sec0_sends_nothing_itself()
    {
        var app = Start($"otel: {{ endpoint: \"{_endpoint}\", export: false }}");

        _ledger.Transfer("acme", 5m);
        await app.DisposeAsync();

        Assert.Empty(_requests);
    }

    [Fact]
    public async Task In_a_host_without_an_OpenTelemetry_setup_AddSec0_exports_by_itself()
    {
        WriteConfig($"otel: {{ endpoint: \"{_endpoint}\", serviceName: {ServiceName} }}");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _dir.Path });
        builder.Services.AddSec0(o => o.CreateSigningKeyIfMissing = true);
        using (var host = builder.Build())
        {
            await host.StartAsync();
            _ledger.Transfer("acme", 5m);
            await host.StopAsync();
        }

        Assert.Contains(_requests, r => r.Path == "/v1/traces" && Holds(r.Body, ServiceName) && Holds(r.Body, "execute_tool transfer"));
    }

    [Fact]
    public async Task In_a_host_with_its_own_OpenTelemetry_setup_Sec0_only_adds_its_source_and_meter_to_it()
    {
        WriteConfig($"otel: {{ endpoint: \"{_endpoint}\", serviceName: {ServiceName} }}");
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _dir.Path });
        builder.Services.AddSec0(o => o.CreateSigningKeyIfMissing = true);

        // No AddSec0Instrumentation here: AddSec0 adds Sec0's source and meter to the app's providers.
        builder.Services.AddOpenTelemetry()
            .WithTracing(t => t.AddInMemoryExporter(spans))
            .WithMetrics(m => m.AddInMemoryExporter(metrics));
        using (var host = builder.Build())
        {
            await host.StartAsync();
            _ledger.Transfer("acme", 5m);
            host.Services.GetRequiredService<MeterProvider>().ForceFlush();
            await host.StopAsync();
        }

        Assert.Contains(spans, s => s.DisplayName == "execute_tool transfer");
        Assert.Contains(metrics, m => m.Name == "sec0.decisions");
        Assert.Empty(_requests);
    }

    [Fact]
    public void The_endpoint_falls_back_to_OTEL_EXPORTER_OTLP_ENDPOINT_and_must_be_an_http_url()
    {
        File.WriteAllText(_dir.Combine("sec0.config.yaml"), """
            app: { tenant: demo, environment: dev }
            controlPlane: { sec0Dir: ./.sec0, localSignerPath: ./.sec0/keys/ed25519.key }
            """);
        var loaded = Sec0ConfigLoader.Load(_dir.Combine("sec0.config.yaml"), new Sec0ConfigLoadOptions
        {
            CheckSigningKeyExists = false,
            Environment = name => name == "OTEL_EXPORTER_OTLP_ENDPOINT" ? "http://collector:4318" : null,
        });
        Assert.Equal(new Uri("http://collector:4318"), loaded.Otel.Endpoint);
        Assert.True(loaded.Otel.SelfExport);

        File.WriteAllText(_dir.Combine("sec0.config.yaml"), """
            app: { tenant: demo, environment: dev }
            controlPlane: { sec0Dir: ./.sec0, localSignerPath: ./.sec0/keys/ed25519.key }
            otel: { endpoint: "collector:4318" }
            """);
        var error = Assert.Throws<Sec0ConfigException>(() => Sec0ConfigLoader.Load(_dir.Combine("sec0.config.yaml"), new Sec0ConfigLoadOptions { CheckSigningKeyExists = false }));
        Assert.Contains("otel.endpoint", error.Message, StringComparison.Ordinal);
    }
}

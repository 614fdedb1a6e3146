using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Sec0.Agents;
using Sec0.Audit;
using Sec0.Hops;
using Sec0.Hosting;
using Sec0.Instrumentation.Tests.Support;
using Sec0.Signing;

namespace Sec0.Instrumentation.Tests.Hosting;

/// <summary>
/// A generic host with services.AddSec0(), an IHttpClientFactory client with the agent-state handler,
/// and a real Kestrel server on 127.0.0.1 that echoes what it received.
/// </summary>
[Collection(nameof(Sec0AppCollection))]
public class Sec0HostingTests
{
    private const string Config = """
        app:
          tenant: demo
          environment: dev
          client: { name: hosted, version: "2.0.0" }
          hops:
            Researcher.Fetch: { type: agent, nodeId: researcher, agentName: researcher, agentVersion: "1.0.0" }
            Planner.Plan: { type: orchestrator, nodeId: planner }
        controlPlane:
          sec0Dir: ./.sec0
          localSignerPath: ./.sec0/keys/ed25519.key
        """;

    // What generated interceptors pass to the runtime for these two hops.
    private static readonly HopDescriptor s_plan = new("Planner.Plan", HopType.Orchestrator, "sha256:v1:" + new string('1', 64), "Planner.cs", 1, 9, "Task Planner.Plan()");
    private static readonly HopDescriptor s_fetch = new("Researcher.Fetch", HopType.Agent, "sha256:v1:" + new string('2', 64), "Researcher.cs", 1, 9, "Task<string> Researcher.Fetch()");

    [Fact]
    public async Task AddSec0_initializes_at_start_sends_agent_state_and_seals_the_log_at_stop()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("sec0.config.yaml"), Config);

        await using var server = await StartEchoServerAsync();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = dir.Path });
        builder.Services.AddSec0(o => o.CreateSigningKeyIfMissing = true);
        builder.Services.AddHttpClient("tools", c => c.BaseAddress = new Uri(server.Urls.First())).AddSec0AgentState();
        string auditDir;
        JsonElement echoed;
        AgentState inner;
        using (var host = builder.Build())
        {
            await host.StartAsync();
            var app = host.Services.GetRequiredService<Sec0App>();
            Assert.Same(app, Sec0App.Current);
            auditDir = app.AuditDirectory;
            var client = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("tools");

            var plan = HopRuntime.Begin(s_plan);
            var fetch = HopRuntime.Begin(s_fetch);
            inner = AgentState.Current!.Value;
            echoed = JsonDocument.Parse(await client.GetStringAsync("/echo")).RootElement.Clone();
            fetch.Complete();
            plan.Complete();
            Assert.Null(AgentState.Current);

            // Outside any hop the handler leaves requests alone.
            var outside = JsonDocument.Parse(await client.GetStringAsync("/echo")).RootElement;
            Assert.False(outside.TryGetProperty("x-node-id", out _));
            await host.StopAsync();
        }

        Assert.Null(Sec0App.Current);
        Assert.Equal("researcher", echoed.GetProperty("x-node-id").GetString());
        Assert.Equal(inner.AgentRef, echoed.GetProperty("x-agent-ref").GetString());
        // x-agent-ref is the run id, as Sec0's TypeScript SDK sends it.
        Assert.Equal(inner.RunId, echoed.GetProperty("x-agent-ref").GetString());
        Assert.Equal(inner.TraceId, echoed.GetProperty("x-cause-trace").GetString());
        Assert.Equal(inner.SpanId, echoed.GetProperty("x-cause-span").GetString());
        var state = echoed.GetProperty("x-agent-state").GetString()!.Replace('-', '+').Replace('_', '/');
        var json = JsonDocument.Parse(Convert.FromBase64String(state.PadRight(state.Length + ((4 - (state.Length % 4)) % 4), '='))).RootElement;
        Assert.Equal(inner.RunId, json.GetProperty("run").GetString());
        Assert.Equal("researcher", json.GetProperty("node").GetString());
        Assert.Equal("planner", json.GetProperty("parent").GetString());

        // Disposal flushed the envelopes; the log verifies with the key the app created.
        var lines = Directory.GetFiles(auditDir, "audit-*.ndjson").SelectMany(File.ReadAllLines)
            .Select(l => JsonDocument.Parse(l).RootElement).Where(e => !e.TryGetProperty("record", out _)).ToList();
        Assert.Equal(["Planner.Plan", "Researcher.Fetch"], lines.Select(l => l.GetProperty("hop").GetString()!).Order(StringComparer.Ordinal).ToArray());
        Assert.All(lines, l => Assert.Equal("hosted", l.GetProperty("client_name").GetString()));
        Assert.All(lines, l => Assert.Equal(inner.RunId, l.GetProperty("agentRef").GetString()));
        using var signer = LocalDevSigner.FromFile(dir.Combine(".sec0", "keys", "ed25519.key"), dir.Path);
        using var verifier = signer.CreateVerifier();
        Assert.True(new AuditLogVerifier(verifier).Verify(auditDir).IsIntact);
    }

    [Fact]
    public async Task A_config_error_stops_host_start_up_with_the_documented_text()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("sec0.config.yaml"), Config.Replace("tenant: demo", "tenant: \"\"", StringComparison.Ordinal));
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = dir.Path });
        builder.Services.AddSec0(o => o.CreateSigningKeyIfMissing = true);
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<Sec0.Config.Sec0ConfigException>(() => host.StartAsync());
        Assert.Equal("[sec0] app.tenant is required", ex.Message);
    }

    [Fact]
    public async Task AddSec0_follows_the_options_pattern_and_a_second_call_adds_configuration_not_a_second_app()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("custom.yaml"), Config);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = dir.Path });
        builder.Services.AddSec0(o => o.ConfigPath = "custom.yaml");
        builder.Services.AddSec0();
        builder.Services.Configure<Sec0HostingOptions>(o => o.CreateSigningKeyIfMissing = true);

        Assert.Single(builder.Services, d => d.ServiceType == typeof(Sec0App));
        Assert.Single(builder.Services, d => d.ImplementationType?.Name == "Sec0HostedService");
        using var host = builder.Build();
        await host.StartAsync();
        var app = host.Services.GetRequiredService<Sec0App>();
        Assert.Equal(dir.Combine("custom.yaml"), app.Config.FilePath);
        await host.StopAsync();
    }

    [Fact]
    public async Task An_empty_config_path_stops_host_start_up_with_what_to_set()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSec0(o => o.ConfigPath = " ");
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("[sec0] Sec0HostingOptions.ConfigPath is empty", ex.Message, StringComparison.Ordinal);
        Assert.Null(Sec0App.Current);
    }

    [Fact]
    public async Task Sec0_is_initialized_before_any_hosted_service_starts_even_one_registered_before_it()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("sec0.config.yaml"), Config);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = dir.Path });
        var probe = new StartProbe();
        builder.Services.AddSingleton<IHostedService>(probe);
        builder.Services.AddSec0(o => o.CreateSigningKeyIfMissing = true);
        using var host = builder.Build();

        await host.StartAsync();
        var app = host.Services.GetRequiredService<Sec0App>();
        Assert.Same(app, probe.AppAtStart);
        await host.StopAsync();
    }

    [Fact]
    public async Task Sec0App_resolved_before_the_host_starts_is_the_app_the_host_runs_and_is_sealed_once()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("sec0.config.yaml"), Config);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = dir.Path });
        builder.Services.AddSec0(o => o.CreateSigningKeyIfMissing = true);
        string auditDir;
        using (var host = builder.Build())
        {
            var early = host.Services.GetRequiredService<Sec0App>();
            await host.StartAsync();
            Assert.Same(early, host.Services.GetRequiredService<Sec0App>());
            Assert.Same(early, Sec0App.Current);
            auditDir = early.AuditDirectory;
            var invocation = HopRuntime.Begin(s_plan);
            invocation.Complete();
            await host.StopAsync();
        }

        Assert.Null(Sec0App.Current);
        using var signer = LocalDevSigner.FromFile(dir.Combine(".sec0", "keys", "ed25519.key"), dir.Path);
        using var verifier = signer.CreateVerifier();
        var report = new AuditLogVerifier(verifier).Verify(auditDir);
        Assert.True(report.IsIntact, report.Summary);
    }

    /// <summary>A hosted service that notes which Sec0 app was running when it started.</summary>
    private sealed class StartProbe : IHostedService
    {
        public Sec0App? AppAtStart { get; private set; }

        public Task StartAsync(CancellationToken cancellationToken)
        {
            AppAtStart = Sec0App.Current;
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static async Task<WebApplication> StartEchoServerAsync()
    {
        var web = WebApplication.CreateSlimBuilder();
        web.WebHost.UseUrls("http://127.0.0.1:0");
        var app = web.Build();
        app.MapGet("/echo", (HttpRequest request) =>
        {
            var headers = request.Headers.Where(h => h.Key.StartsWith("x-", StringComparison.OrdinalIgnoreCase))
                .ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
            return Results.Text(JsonSerializer.Serialize(headers), "application/json", Encoding.UTF8);
        });
        await app.StartAsync();
        return app;
    }
}

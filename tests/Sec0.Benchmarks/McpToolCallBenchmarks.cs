using System.ComponentModel;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Sec0.Signing;

namespace Sec0.Benchmarks;

/// <summary>
/// One <c>tools/call</c> round trip through the SDK's real client and server over in-memory pipes, with and
/// without Sec0 in the same run. The baseline is the same server without <c>WithSec0Security</c>; the Sec0 run
/// pays for the decision, the handler-swap check (definition hash), canonical JSON hashes of arguments and
/// result, and one queued, signed envelope (batch flush). Target: at most 10% added median latency.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class McpToolCallBenchmarks
{
    private const string Policy = """
        tenant: bench
        tools:
          allowlist: [ "mcp://bench-tools/lookup@1.0.0" ]
          deny_if_unpinned_version: true
        security:
          limits: { max_payload_kb: 64 }
          side_effects: { require_idempotency_key: true }
        enforcement:
          deny_on: [tool_not_in_allowlist, version_unpinned, missing_idempotency_for_side_effect, payload_too_large, handler_swap, registry_mutation]
        """;

    private static readonly CallToolRequestParams s_request = new()
    {
        Name = "lookup",
        Arguments = new Dictionary<string, JsonElement>
        {
            ["customerId"] = JsonSerializer.SerializeToElement("c-1042"),
            ["fields"] = JsonSerializer.SerializeToElement(new[] { "name", "tier", "balance" }),
        },
    };

    private BenchmarkTempDirectory _dir = null!;
    private Ed25519Signer _signer = null!;

    /// <summary>Per-envelope signing bounds a saturated server at the signer's rate; checkpoint mode is for high volume.</summary>
    [Params(Sec0.Audit.AuditSigningMode.PerEnvelope, Sec0.Audit.AuditSigningMode.Checkpoint)]
    public Sec0.Audit.AuditSigningMode Signing { get; set; }
    private (IHost Host, McpClient Client) _plain;
    private (IHost Host, McpClient Client) _secured;

    [GlobalSetup]
    public void Setup()
    {
        _dir = new BenchmarkTempDirectory();
        _signer = new Ed25519Signer(RandomNumberGenerator.GetBytes(32));
        _plain = StartAsync(secured: false).GetAwaiter().GetResult();
        _secured = StartAsync(secured: true).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var (host, client) in new[] { _plain, _secured })
        {
            client.DisposeAsync().AsTask().GetAwaiter().GetResult();
            host.StopAsync().GetAwaiter().GetResult();
            host.Dispose();
        }

        _signer.Dispose();
        _dir.Dispose();
    }

    /// <summary>
    /// Waits until the Sec0 server's audit writer has written everything queued so far, then sleeps
    /// <paramref name="pauseMs"/> ms, as between the calls of a lightly loaded server.
    /// </summary>
    internal void WaitForIdleWriter(int pauseMs = 1)
    {
        _secured.Host.Services.GetRequiredService<Sec0.Mcp.Sec0McpRuntime>().Appender.FlushAsync().AsTask().GetAwaiter().GetResult();
        Thread.Sleep(pauseMs);
    }

    /// <summary>The SDK alone.</summary>
    [Benchmark(Baseline = true)]
    public Task<CallToolResult> WithoutSec0() => _plain.Client.CallToolAsync(s_request).AsTask();

    /// <summary>The same call through Sec0's filters.</summary>
    [Benchmark]
    public Task<CallToolResult> WithSec0() => _secured.Client.CallToolAsync(s_request).AsTask();

    private async Task<(IHost Host, McpClient Client)> StartAsync(bool secured)
    {
        var clientToServer = new Pipe();
        var serverToClient = new Pipe();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        var mcp = builder.Services
            .AddMcpServer(options => options.ServerInfo = new Implementation { Name = "bench-tools", Version = "1.0.0" })
            .WithStreamServerTransport(clientToServer.Reader.AsStream(), serverToClient.Writer.AsStream())
            .WithTools<BenchTools>();
        if (secured)
        {
            mcp.WithSec0Security(options =>
            {
                options.PolicyYaml = Policy;
                options.Signer = _signer;
                options.Sec0.Dir = Path.Combine(_dir.Path, "logs");
                options.Sec0.Signing = Signing;
            });
        }

        var host = builder.Build();
        await host.StartAsync();
        var client = await McpClient.CreateAsync(new StreamClientTransport(clientToServer.Writer.AsStream(), serverToClient.Reader.AsStream()));
        return (host, client);
    }

    /// <summary>The benchmark's tool: read-only, so no idempotency key is needed.</summary>
    [McpServerToolType]
    public sealed class BenchTools
    {
        /// <summary>Returns a small record, like a typical lookup tool.</summary>
        [McpServerTool(Name = "lookup", ReadOnly = true, Idempotent = true, Destructive = false)]
        [Description("Looks a customer up.")]
        public static string Lookup(string customerId, string[] fields) => $"{customerId}: {string.Join(',', fields)}";
    }
}

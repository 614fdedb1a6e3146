using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Sec0.Audit;
using Sec0.Signing;

namespace Sec0.Mcp.Tests;

/// <summary>
/// An in-process MCP server (real SDK server and client over two pipes) wrapped by Sec0, with its own audit
/// directory and key. Dispose it to stop the host, which flushes and closes the audit log.
/// </summary>
public sealed class McpTestServer : IAsyncDisposable
{
    public const string Policy = """
        tenant: test
        tools:
          allowlist:
            - mcp://test-tools/read_status@1.0.0
            - mcp://test-tools/send_payment@1.0.0
            - mcp://test-tools/echo@1.0.0
            - mcp://test-tools/explode@1.0.0
          deny_if_unpinned_version: true
        security:
          limits: { max_payload_kb: 1 }
          side_effects: { require_idempotency_key: true }
        sast: { enabled: true, block_on_change: false }
        enforcement:
          deny_on: [tool_not_in_allowlist, version_unpinned, missing_idempotency_for_side_effect, payload_too_large, sast_failed, registry_mutation, handler_swap]
        """;

    private bool _disposed;

    private McpTestServer(string directory, Ed25519Signer signer, IHost host, InvocationCounter counter)
    {
        Directory = directory;
        Signer = signer;
        Host = host;
        Counter = counter;
    }

    public string Directory { get; }

    public string AuditDirectory => Path.Combine(Directory, "logs");

    public Ed25519Signer Signer { get; }

    public IHost Host { get; }

    public InvocationCounter Counter { get; }

    /// <summary>The SDK's client; null when the server was started with a <see cref="Raw"/> client instead.</summary>
    public McpClient Client { get; private set; } = null!;

    /// <summary>A client that writes JSON-RPC lines verbatim on the same pipes; set only with <c>rawClient: true</c>.</summary>
    public RawJsonRpcClient Raw { get; private set; } = null!;

    public static async Task<McpTestServer> StartAsync(Action<Sec0McpOptions>? configure = null, Action<IMcpServerBuilder>? beforeSec0 = null, Action<IMcpServerBuilder>? afterSec0 = null, bool rawClient = false)
    {
        var directory = Path.Combine(Path.GetTempPath(), "sec0-mcp-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var signer = new Ed25519Signer(RandomNumberGenerator.GetBytes(32));
        var counter = new InvocationCounter();
        var pipes = (ClientToServer: new Pipe(), ServerToClient: new Pipe());

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(counter);
        var mcp = builder.Services
            .AddMcpServer(options => options.ServerInfo = new Implementation { Name = "test-tools", Version = "1.0.0" })
            .WithStreamServerTransport(pipes.ClientToServer.Reader.AsStream(), pipes.ServerToClient.Writer.AsStream())
            .WithTools<TestTools>();
        beforeSec0?.Invoke(mcp);
        mcp.WithSec0Security(options =>
        {
            options.PolicyYaml = Policy;
            options.Signer = signer;
            options.Sec0.Dir = Path.Combine(directory, "logs");
            options.Otel.Environment = "dev";
            configure?.Invoke(options);
        });
        afterSec0?.Invoke(mcp);

        var host = builder.Build();
        var server = new McpTestServer(directory, signer, host, counter);
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            signer.Dispose();
            System.IO.Directory.Delete(directory, recursive: true);
            throw;
        }

        if (rawClient)
        {
            server.Raw = new RawJsonRpcClient(pipes.ClientToServer.Writer.AsStream(), pipes.ServerToClient.Reader.AsStream());
            await server.Raw.InitializeAsync();
        }
        else
        {
            server.Client = await McpClient.CreateAsync(new StreamClientTransport(pipes.ClientToServer.Writer.AsStream(), pipes.ServerToClient.Reader.AsStream()));
        }

        return server;
    }

    public Task<CallToolResult> CallAsync(string tool, IReadOnlyDictionary<string, object?>? arguments = null, string? idempotencyKey = null, string? traceparent = null)
    {
        var meta = new System.Text.Json.Nodes.JsonObject();
        if (idempotencyKey is not null)
        {
            meta[Sec0McpOptions.IdempotencyKeyMetaName] = idempotencyKey;
        }

        if (traceparent is not null)
        {
            meta["traceparent"] = traceparent;
        }

        var args = arguments?.ToDictionary(pair => pair.Key, pair => JsonSerializer.SerializeToElement(pair.Value));
        return Client.CallToolAsync(new CallToolRequestParams { Name = tool, Arguments = args, Meta = meta.Count == 0 ? null : meta }).AsTask();
    }

    /// <summary>Waits until everything queued so far is on disk, then returns the envelopes (not the chain records).</summary>
    public async Task<IReadOnlyList<JsonElement>> EnvelopesAsync()
    {
        var runtime = Host.Services.GetRequiredService<Sec0McpRuntime>();
        await runtime.Appender.FlushAsync();
        return ReadEnvelopes(AuditDirectory);
    }

    public static IReadOnlyList<JsonElement> ReadEnvelopes(string auditDirectory)
    {
        var envelopes = new List<JsonElement>();
        foreach (var file in System.IO.Directory.GetFiles(auditDirectory, "audit-*.ndjson").Order(StringComparer.Ordinal))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                if (line.Length == 0)
                {
                    continue;
                }

                var element = JsonDocument.Parse(line).RootElement.Clone();
                if (element.TryGetProperty("op", out _))
                {
                    envelopes.Add(element);
                }
            }
        }

        return envelopes;
    }

    public AuditVerificationReport Verify() => new AuditLogVerifier(Signer.CreateVerifier()).Verify(AuditDirectory);

    public static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(block => block.Text));

    public async Task StopAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (Client is not null)
        {
            await Client.DisposeAsync();
        }

        if (Raw is not null)
        {
            await Raw.DisposeAsync();
        }

        await Host.StopAsync();
        Host.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Signer.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

using System.ComponentModel;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Sec0.Benchmarks.Gateway;

/// <summary>
/// The tool servers behind the gateway and the bare forwards, on Kestrel at 127.0.0.1 (free ports), as cheap as
/// the protocol allows so that the figures are the forwarders': a Sec0 TS-style tool server
/// (<c>POST /invoke/{tool@version}</c>, <c>echo</c> answers its body) and an MCP Streamable HTTP server (the
/// official SDK, stateless, an <c>echo</c> tool that returns its arguments as JSON text). Unlike the gateway
/// tests' servers they record nothing per request.
/// </summary>
internal sealed class GatewayBenchUpstreams : IAsyncDisposable
{
    private readonly WebApplication _legacy;
    private readonly WebApplication _mcp;

    private GatewayBenchUpstreams(WebApplication legacy, Uri legacyUrl, WebApplication mcp, Uri mcpUrl)
    {
        _legacy = legacy;
        _mcp = mcp;
        LegacyUrl = legacyUrl;
        McpUrl = mcpUrl;
    }

    /// <summary>The legacy tool server's base URL (no trailing slash).</summary>
    public Uri LegacyUrl { get; }

    /// <summary>The MCP endpoint.</summary>
    public Uri McpUrl { get; }

    public static async Task<GatewayBenchUpstreams> StartAsync()
    {
        var legacyBuilder = WebApplication.CreateSlimBuilder();
        legacyBuilder.Logging.ClearProviders();
        legacyBuilder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var legacy = legacyBuilder.Build();
        legacy.MapPost("/invoke/{toolAtVersion}", static async (HttpContext context) =>
        {
            // echo: the body back, as JSON.
            var request = context.Request;
            var buffer = new byte[(int)(request.ContentLength ?? 4096)];
            var length = 0;
            int read;
            while ((read = await request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted)) > 0)
            {
                length += read;
                if (length == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }
            }

            context.Response.ContentType = "application/json";
            context.Response.ContentLength = length;
            await context.Response.Body.WriteAsync(buffer.AsMemory(0, length), context.RequestAborted);
        });
        await legacy.StartAsync();

        var mcpBuilder = WebApplication.CreateSlimBuilder();
        mcpBuilder.Logging.ClearProviders();
        mcpBuilder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        mcpBuilder.Services.AddMcpServer().WithHttpTransport(o => o.Stateless = true).WithTools<EchoTools>();
        var mcp = mcpBuilder.Build();
        mcp.MapMcp("/mcp");
        await mcp.StartAsync();

        return new GatewayBenchUpstreams(
            legacy,
            new Uri($"http://127.0.0.1:{new Uri(legacy.Urls.Single()).Port}"),
            mcp,
            new Uri($"http://127.0.0.1:{new Uri(mcp.Urls.Single()).Port}/mcp"));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in new[] { _legacy, _mcp })
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await app.StopAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
            }

            await app.DisposeAsync();
        }
    }

    /// <summary>The MCP server's tool.</summary>
    [McpServerToolType]
    public sealed class EchoTools
    {
        /// <summary>Returns its arguments as JSON text.</summary>
        [McpServerTool(Name = "echo"), Description("Returns its arguments as JSON text.")]
        public static string Echo(RequestContext<CallToolRequestParams> context) =>
            JsonSerializer.Serialize(context.Params?.Arguments ?? new Dictionary<string, JsonElement>());
    }
}

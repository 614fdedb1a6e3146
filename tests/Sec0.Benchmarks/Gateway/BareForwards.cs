using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Yarp.ReverseProxy.Transforms;

namespace Sec0.Benchmarks.Gateway;

/// <summary>
/// The baselines: what a user would put in front of the same tool servers without Sec0, on one Kestrel at
/// 127.0.0.1, at the gateway's own paths.
/// <list type="bullet">
/// <item><c>POST /mcp/legacy/{tool@version}</c>: a minimal handler that reads the body and POSTs it to
/// <c>{legacy}/invoke/{tool@version}</c> with a pooled <see cref="HttpClient"/>, forwarding the idempotency key,
/// and answers with the upstream's status and bytes.</item>
/// <item><c>POST /yarp/legacy/{tool@version}</c>: the same through YARP's <c>MapForwarder</c> (direct forwarding,
/// a path transform to <c>/invoke/{tool@version}</c>).</item>
/// <item><c>POST /mcp/tools/{tool@version}</c>: a minimal handler that parses the JSON object body and calls the
/// MCP server with the official SDK's <see cref="McpClient"/> (Streamable HTTP, one shared client, as the
/// gateway's upstream does), answering with the <see cref="CallToolResult"/> as JSON.</item>
/// </list>
/// No authentication, policy, idempotency, quotas or audit.
/// </summary>
internal sealed class BareForwards : IAsyncDisposable
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/json") { CharSet = "utf-8" };

    private readonly WebApplication _app;
    private readonly HttpClient _http;
    private readonly HttpClient _mcpHttp;
    private readonly McpClient _mcp;

    private BareForwards(WebApplication app, HttpClient http, HttpClient mcpHttp, McpClient mcp, Uri url)
    {
        _app = app;
        _http = http;
        _mcpHttp = mcpHttp;
        _mcp = mcp;
        Url = url;
    }

    /// <summary>Where the forwards listen (with a trailing slash).</summary>
    public Uri Url { get; }

    public static async Task<BareForwards> StartAsync(Uri legacyUrl, Uri mcpUrl)
    {
        var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2), AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var mcpHttp = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2), AllowAutoRedirect = false })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = mcpUrl, Name = "bare-forward", TransportMode = HttpTransportMode.StreamableHttp },
            mcpHttp,
            ownsHttpClient: false);
        var mcp = await McpClient.CreateAsync(transport);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Services.AddHttpForwarder();
        var app = builder.Build();
        var legacyBase = legacyUrl.AbsoluteUri.TrimEnd('/');

        app.MapPost("/mcp/legacy/{toolAtVersion}", async (HttpContext context, string toolAtVersion) =>
        {
            var body = await ReadBodyAsync(context.Request, context.RequestAborted);
            using var request = new HttpRequestMessage(HttpMethod.Post, legacyBase + "/invoke/" + Uri.EscapeDataString(toolAtVersion))
            {
                Content = new ByteArrayContent(body),
            };
            request.Content.Headers.ContentType = JsonType;
            if (context.Request.Headers.TryGetValue("x-idempotency-key", out var key))
            {
                request.Headers.TryAddWithoutValidation("x-idempotency-key", (string?)key);
            }

            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, context.RequestAborted);
            var answer = await response.Content.ReadAsByteArrayAsync(context.RequestAborted);
            context.Response.StatusCode = (int)response.StatusCode;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = answer.Length;
            await context.Response.Body.WriteAsync(answer, context.RequestAborted);
        });

        // No upstream at all: the body back (for the breakdown of where the gateway's time goes).
        app.MapPost("/local/{toolAtVersion}", async (HttpContext context) =>
        {
            var body = await ReadBodyAsync(context.Request, context.RequestAborted);
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        });

        app.MapForwarder("/yarp/legacy/{toolAtVersion}", legacyBase, transforms => transforms.AddPathRouteValues("/invoke/{toolAtVersion}"));

        app.MapPost("/mcp/tools/{toolAtVersion}", async (HttpContext context, string toolAtVersion) =>
        {
            var body = await ReadBodyAsync(context.Request, context.RequestAborted);
            using var document = JsonDocument.Parse(body);
            var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                arguments[property.Name] = property.Value.Clone();
            }

            var at = toolAtVersion.IndexOf('@', StringComparison.Ordinal);
            var tool = at < 0 ? toolAtVersion : toolAtVersion[..at];
            var result = await mcp.CallToolAsync(tool, arguments, cancellationToken: context.RequestAborted);
            var answer = JsonSerializer.SerializeToUtf8Bytes(result, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(CallToolResult)));
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = answer.Length;
            await context.Response.Body.WriteAsync(answer, context.RequestAborted);
        });

        await app.StartAsync();
        return new BareForwards(app, http, mcpHttp, mcp, new Uri($"http://127.0.0.1:{new Uri(app.Urls.Single()).Port}/"));
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream((int)(request.ContentLength ?? 1024));
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _mcp.DisposeAsync();
        _mcpHttp.Dispose();
        _http.Dispose();
    }
}

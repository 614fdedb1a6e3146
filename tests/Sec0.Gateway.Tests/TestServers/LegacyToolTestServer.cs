using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Sec0.Gateway.Tests.TestServers;

/// <summary>
/// A Sec0 TS-style tool server on Kestrel (127.0.0.1, a free port): <c>POST /invoke/{tool@version}</c>. Tools:
/// <c>echo</c> (the body back as JSON), <c>status-NNN</c> (status NNN with a JSON error body), <c>html-NNN</c>
/// (status NNN with an HTML body), <c>text</c> (a plain-text 200), <c>hang</c> (never answers),
/// <c>big-N</c> (N bytes of JSON), <c>slow-N</c> (the body back after N ms). It records each request's headers and path.
/// </summary>
public sealed class LegacyToolTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _calls;

    private LegacyToolTestServer(WebApplication app) => _app = app;

    /// <summary>The base URL (no trailing slash).</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>How many requests reached /invoke.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Each request's lower-cased headers, in order.</summary>
    public ConcurrentQueue<IReadOnlyDictionary<string, string>> Headers { get; } = new();

    /// <summary>Each request's raw path (still URL-encoded).</summary>
    public ConcurrentQueue<string> RawPaths { get; } = new();

    public static async Task<LegacyToolTestServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new LegacyToolTestServer(app);
        app.MapPost("/invoke/{toolAtVersion}", (HttpContext context, string toolAtVersion) => server.InvokeAsync(context, toolAtVersion));
        await app.StartAsync();
        server.Url = new Uri($"http://127.0.0.1:{new Uri(app.Urls.Single()).Port}");
        return server;
    }

    private async Task InvokeAsync(HttpContext context, string toolAtVersion)
    {
        Interlocked.Increment(ref _calls);
        Headers.Enqueue(context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
        RawPaths.Enqueue(context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? context.Request.Path);
        var tool = toolAtVersion.Split('@')[0];
        var response = context.Response;
        if (tool == "echo")
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            response.ContentType = "application/json";
            await response.WriteAsync(body, context.RequestAborted);
        }
        else if (tool.StartsWith("status-", StringComparison.Ordinal))
        {
            response.StatusCode = int.Parse(tool["status-".Length..], System.Globalization.CultureInfo.InvariantCulture);
            await response.WriteAsJsonAsync(new { error = $"E{response.StatusCode}", message = $"status {response.StatusCode} requested" }, context.RequestAborted);
        }
        else if (tool.StartsWith("html-", StringComparison.Ordinal))
        {
            response.StatusCode = int.Parse(tool["html-".Length..], System.Globalization.CultureInfo.InvariantCulture);
            response.ContentType = "text/html";
            await response.WriteAsync("<html>nope</html>", context.RequestAborted);
        }
        else if (tool == "text")
        {
            response.ContentType = "text/plain";
            await response.WriteAsync("plain \"hello\"", context.RequestAborted);
        }
        else if (tool.StartsWith("slow-", StringComparison.Ordinal))
        {
            await Task.Delay(int.Parse(tool["slow-".Length..], System.Globalization.CultureInfo.InvariantCulture), context.RequestAborted);
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            response.ContentType = "application/json";
            await response.WriteAsync(body, context.RequestAborted);
        }
        else if (tool == "hang")
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        else if (tool.StartsWith("big-", StringComparison.Ordinal))
        {
            var size = int.Parse(tool["big-".Length..], System.Globalization.CultureInfo.InvariantCulture);
            response.ContentType = "application/json";
            await response.WriteAsync("\"" + new string('x', Math.Max(0, size - 2)) + "\"", context.RequestAborted);
        }
        else
        {
            response.StatusCode = 404;
            await response.WriteAsJsonAsync(new { error = "TOOL_NOT_FOUND", message = $"no tool {toolAtVersion}" }, context.RequestAborted);
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // A hung request may still be open; the server is disposed anyway.
        }

        await _app.DisposeAsync();
    }
}

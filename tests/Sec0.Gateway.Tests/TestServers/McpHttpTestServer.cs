using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sec0.Gateway.Tests.TestServers;

/// <summary>
/// A real MCP server over Streamable HTTP (ModelContextProtocol.AspNetCore on Kestrel, 127.0.0.1, a free port)
/// with the tools of <see cref="McpHttpTestTools"/>. It records the headers of every POST it receives.
/// </summary>
public sealed class McpHttpTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private McpHttpTestServer(WebApplication app, McpHttpTestState state)
    {
        _app = app;
        State = state;
    }

    /// <summary>The MCP endpoint.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>What the tools saw: call counts, started slow calls.</summary>
    public McpHttpTestState State { get; }

    /// <summary>The headers of every POST to the endpoint, in order.</summary>
    public ConcurrentQueue<IReadOnlyDictionary<string, string>> PostHeaders { get; } = new();

    private int _failStatus;
    private int _failCount;

    /// <summary>Answers the next <paramref name="count"/> POSTs with <paramref name="status"/> before they reach MCP.</summary>
    public void FailNextPosts(int status, int count)
    {
        Volatile.Write(ref _failStatus, status);
        Volatile.Write(ref _failCount, count);
    }

    private bool TakeFailure(out int status)
    {
        status = Volatile.Read(ref _failStatus);
        int left;
        while ((left = Volatile.Read(ref _failCount)) > 0)
        {
            if (Interlocked.CompareExchange(ref _failCount, left - 1, left) == left)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Starts the server.</summary>
    /// <param name="stateful">Keep Streamable HTTP sessions (Mcp-Session-Id) for initialize clients; 2.4's default is stateless.</param>
    public static async Task<McpHttpTestServer> StartAsync(bool stateful = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var state = new McpHttpTestState();
        builder.Services.AddSingleton(state);
        builder.Services.AddMcpServer().WithHttpTransport(options => options.Stateless = !stateful).WithTools<McpHttpTestTools>();

        var app = builder.Build();
        var server = new McpHttpTestServer(app, state);
        app.Use(async (context, next) =>
        {
            if (HttpMethods.IsPost(context.Request.Method))
            {
                server.PostHeaders.Enqueue(context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
                if (server.TakeFailure(out var status))
                {
                    context.Response.StatusCode = status;
                    return;
                }
            }

            await next(context);
        });
        app.MapMcp("/mcp");
        await app.StartAsync();

        server.Url = new Uri($"http://127.0.0.1:{new Uri(app.Urls.Single()).Port}/mcp");
        return server;
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
            // A hung tool call may hold a request open; the server is disposed anyway.
        }

        await _app.DisposeAsync();
    }
}

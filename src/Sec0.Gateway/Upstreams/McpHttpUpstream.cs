using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Sec0.Gateway.Upstreams;

/// <summary>
/// An MCP server over Streamable HTTP, called through the official SDK's <see cref="McpClient"/>. One session is
/// opened on the first call and shared by every call (the SDK multiplexes requests); when it breaks (the
/// connection failed, the server ended the session) it is dropped and the next call opens a new one, one
/// connect at a time.
/// </summary>
/// <remarks>
/// With ModelContextProtocol 2.4 the client first offers the session-less protocol revision 2026-07-28
/// (<c>server/discover</c>, no <c>Mcp-Session-Id</c>) and falls back to the initialize handshake and a session
/// for older servers. The idempotency key and <c>traceparent</c> travel both in the request's <c>_meta</c>
/// (<c>x-idempotency-key</c>, <c>traceparent</c>) and as HTTP headers of the tool call's POST, together with
/// <see cref="UpstreamCall.Headers"/>. With a session, a call whose session had expired (HTTP 404, the request
/// was never processed) is retried once on a new session; no other failure is retried, because the tool may have run.
/// </remarks>
public sealed class McpHttpUpstream : IGatewayUpstream
{
    private readonly string _server;
    private readonly Uri _endpoint;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly HttpClient _httpClient;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();
    private readonly string? _protocolVersion;
    private McpClient? _client;

    /// <summary>Creates the upstream; nothing connects until the first call.</summary>
    /// <param name="server">The target's name (<c>gateway.targets.&lt;server&gt;</c>), used in messages.</param>
    /// <param name="endpoint">The MCP endpoint, an absolute http(s) URL.</param>
    /// <param name="loggerFactory">Logs of the SDK client, or none.</param>
    public McpHttpUpstream(string server, Uri endpoint, ILoggerFactory? loggerFactory = null)
        : this(server, endpoint, loggerFactory, protocolVersion: null)
    {
    }

    /// <summary>
    /// With a pinned MCP protocol version (tests: <c>2025-11-25</c> forces the initialize handshake and a
    /// Streamable HTTP session; by default the SDK prefers the session-less <c>2026-07-28</c> and falls back).
    /// </summary>
    internal McpHttpUpstream(string server, Uri endpoint, ILoggerFactory? loggerFactory, string? protocolVersion)
    {
        _protocolVersion = protocolVersion;
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(endpoint);
        _server = server;
        _endpoint = endpoint;
        _loggerFactory = loggerFactory;
        var sockets = new SocketsHttpHandler
        {
            // Pooled, but DNS changes are picked up; no redirects, so forwarded headers never go elsewhere.
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AllowAutoRedirect = false,
        };

        // No HttpClient timeout: a call lasts as long as its token allows (max_duration_ms), and the GET stream is long-lived.
        _httpClient = new HttpClient(new CallHeaderHandler(sockets)) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <inheritdoc/>
    public async ValueTask<UpstreamResult> CallToolAsync(UpstreamCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        if (!UpstreamFailures.TryGetArguments(call.Arguments, out var arguments))
        {
            return UpstreamFailures.Error(_server, "the tool arguments must be a JSON object");
        }

        for (var attempt = 0; ; attempt++)
        {
            McpClient client;
            try
            {
                client = await GetClientAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception exception)
            {
                return ConnectFailure(exception);
            }

            try
            {
                // Visible to CallHeaderHandler for the POST this call sends; restored when this method returns.
                CallHeaderHandler.CurrentCall = call;
                var result = await client.CallToolAsync(call.Tool, arguments, progress: null, RequestOptionsFor(call), cancellationToken)
                    .ConfigureAwait(false);
                return UpstreamResult.Ok(JsonSerializer.SerializeToUtf8Bytes(result, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(CallToolResult))));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception exception)
            {
                // MCP: a 404 to a request carrying Mcp-Session-Id means the server no longer knows the session.
                var sessionExpired = UpstreamFailures.HttpStatus(exception) == HttpStatusCode.NotFound && client.SessionId is not null;
                var mapped = UpstreamFailures.FromMcpException(_server, exception);
                if (sessionExpired || mapped.Outcome == UpstreamOutcome.Unreachable || client.Completion.IsCompleted)
                {
                    Drop(client);
                }

                if (sessionExpired && attempt == 0)
                {
                    continue;
                }

                return mapped;
            }
            finally
            {
                CallHeaderHandler.CurrentCall = null;
            }
        }
    }

    /// <summary>Ends the MCP session (DELETE) and releases the HTTP connections.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        await _disposed.CancelAsync().ConfigureAwait(false);
        var client = Interlocked.Exchange(ref _client, null);
        if (client is not null)
        {
            await DisposeQuietlyAsync(client).ConfigureAwait(false);
        }

        _httpClient.Dispose();
    }

    /// <summary>The <c>_meta</c> of a forwarded call: the idempotency key and the trace context.</summary>
    internal static RequestOptions RequestOptionsFor(UpstreamCall call)
    {
        var meta = new JsonObject { ["x-idempotency-key"] = call.IdempotencyKey };
        if (!string.IsNullOrEmpty(call.TraceParent))
        {
            // The SDK may replace this with the current Activity's context: that is the gateway span as well.
            meta["traceparent"] = call.TraceParent;
        }

        return new RequestOptions { Meta = meta };
    }

    private UpstreamResult ConnectFailure(Exception exception)
    {
        if (UpstreamFailures.HttpStatus(exception) is not null || exception is McpProtocolException)
        {
            return UpstreamFailures.FromMcpException(_server, exception);
        }

        return UpstreamFailures.Unreachable(_server, UpstreamFailures.IsConnectionFailure(exception, out var reason) ? reason : $"could not open an MCP session ({exception.GetType().Name})");
    }

    private async ValueTask<McpClient> GetClientAsync(CancellationToken cancellationToken)
    {
        var client = Volatile.Read(ref _client);
        if (client is not null && !client.Completion.IsCompleted)
        {
            return client;
        }

        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            client = _client;
            if (client is not null && !client.Completion.IsCompleted)
            {
                return client;
            }

            if (client is not null)
            {
                Drop(client);
            }

            ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
            var transport = new HttpClientTransport(
                new HttpClientTransportOptions
                {
                    Endpoint = _endpoint,
                    Name = $"sec0-gateway:{_server}",
                    TransportMode = HttpTransportMode.StreamableHttp,
                    ConnectionTimeout = TimeSpan.FromSeconds(10),
                },
                _httpClient,
                _loggerFactory,
                ownsHttpClient: false);

            // The connect is cancelled by the caller who started it, or by disposal.
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
            client = await McpClient.CreateAsync(transport, ClientOptions(_protocolVersion), _loggerFactory, linked.Token).ConfigureAwait(false);
            Volatile.Write(ref _client, client);
            return client;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    internal static McpClientOptions ClientOptions(string? protocolVersion = null) => new()
    {
        ProtocolVersion = protocolVersion,
        ClientInfo = new Implementation { Name = "sec0-gateway", Version = typeof(McpHttpUpstream).Assembly.GetName().Version?.ToString() ?? "0.0.0" },
    };

    private void Drop(McpClient client)
    {
        // Only the caller that still sees this client as current disposes it; calls sharing it get their own failure.
        // In the background: closing a broken session (its DELETE) must not delay the call's answer.
        if (Interlocked.CompareExchange(ref _client, null, client) == client)
        {
            _ = DisposeQuietlyAsync(client).AsTask();
        }
    }

    private static async ValueTask DisposeQuietlyAsync(McpClient client)
    {
        try
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // A broken session may fail to close (its DELETE cannot be sent); there is nothing left to release.
        }
    }
}

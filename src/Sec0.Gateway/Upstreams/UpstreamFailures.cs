using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;

namespace Sec0.Gateway.Upstreams;

/// <summary>
/// Shared mapping of exceptions to <see cref="UpstreamResult"/>s. Messages name the server and the kind of
/// failure only: never the URL (it may carry credentials or tokens) nor the upstream's response body.
/// </summary>
internal static class UpstreamFailures
{
    /// <summary>Upstream error texts passed to the caller are cut to this length.</summary>
    internal const int MaxMessageLength = 512;

    public static UpstreamResult Unreachable(string server, string reason) =>
        new(UpstreamOutcome.Unreachable, null, null, $"upstream '{server}' is unreachable: {reason}");

    public static UpstreamResult Error(string server, string message, int? status = null) =>
        new(UpstreamOutcome.Error, null, status, $"upstream '{server}': {Truncate(message)}");

    public static UpstreamResult Unavailable(string server, string message, int status = 503) =>
        new(UpstreamOutcome.Unavailable, null, status, $"upstream '{server}' is unavailable: {Truncate(message)}");

    public static string Truncate(string text) =>
        text.Length <= MaxMessageLength ? text : string.Concat(text.AsSpan(0, MaxMessageLength), "…");

    /// <summary>
    /// Whether the exception says the connection could not be made or broke (as opposed to an answer):
    /// connection refused, DNS, TLS, a reset, a closed MCP transport or a dead child process.
    /// </summary>
    public static bool IsConnectionFailure(Exception exception, out string reason)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case HttpRequestException { StatusCode: not null }:
                    reason = "";
                    return false;
                case SocketException socket:
                    reason = socket.SocketErrorCode switch
                    {
                        SocketError.ConnectionRefused => "connection refused",
                        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host name not resolved",
                        SocketError.TimedOut => "connect timed out",
                        _ => $"socket error {socket.SocketErrorCode}",
                    };
                    return true;
                case HttpRequestException http when http.HttpRequestError is not HttpRequestError.Unknown && e.InnerException is not SocketException:
                    reason = http.HttpRequestError switch
                    {
                        HttpRequestError.NameResolutionError => "host name not resolved",
                        HttpRequestError.ConnectionError => "connection failed",
                        HttpRequestError.SecureConnectionError => "TLS handshake failed",
                        HttpRequestError.ResponseEnded => "connection closed before the response ended",
                        _ => $"HTTP transport error {http.HttpRequestError}",
                    };
                    return true;
                case ClientTransportClosedException:
                    reason = "the MCP transport closed";
                    return true;
                case TimeoutException:
                    reason = "connect timed out";
                    return true;
                case IOException:
                    reason = "the connection or process closed";
                    return true;
                case OperationCanceledException:
                    // Callers rethrow their own token's cancellation first: this one is the SDK's (the session closed).
                    reason = "the connection was closed";
                    return true;
                case ObjectDisposedException:
                    reason = "the MCP session was closed";
                    return true;
            }
        }

        reason = "";
        return false;
    }

    /// <summary>The HTTP status of a failed HTTP exchange inside the exception, if any.</summary>
    public static HttpStatusCode? HttpStatus(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException { StatusCode: { } status })
            {
                return status;
            }
        }

        return null;
    }

    /// <summary>
    /// Maps an MCP client exception: a JSON-RPC error or other <see cref="McpException"/> is an Error, an HTTP
    /// status is kept (503 is Unavailable), a connection failure is Unreachable.
    /// </summary>
    public static UpstreamResult FromMcpException(string server, Exception exception)
    {
        if (HttpStatus(exception) is { } status)
        {
            var code = (int)status;
            return code == 503
                ? Unavailable(server, "the MCP server answered HTTP 503")
                : Error(server, $"the MCP server answered HTTP {code}", code);
        }

        if (exception is McpProtocolException protocol)
        {
            return Error(server, $"JSON-RPC error {(int)protocol.ErrorCode}: {protocol.Message}");
        }

        if (IsConnectionFailure(exception, out var reason))
        {
            return Unreachable(server, reason);
        }

        return exception is McpException mcp
            ? Error(server, mcp.Message)
            : Error(server, $"the call failed ({exception.GetType().Name})");
    }

    /// <summary>The tool arguments as the SDK wants them; false when they are not a JSON object.</summary>
    public static bool TryGetArguments(JsonElement arguments, out Dictionary<string, object?> result)
    {
        result = new Dictionary<string, object?>(StringComparer.Ordinal);
        switch (arguments.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null:
                return true;
            case JsonValueKind.Object:
                foreach (var property in arguments.EnumerateObject())
                {
                    // Clone: the caller's JsonDocument may be disposed while the SDK still serializes.
                    result[property.Name] = property.Value.Clone();
                }

                return true;
            default:
                return false;
        }
    }
}

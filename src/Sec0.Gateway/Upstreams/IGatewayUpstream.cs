using System.Text.Json;

namespace Sec0.Gateway.Upstreams;

/// <summary>
/// One target server behind the gateway: an MCP server over Streamable HTTP or stdio, or a legacy Sec0
/// HTTP tool server (<c>POST {target}/invoke/{tool@version}</c>). Thread-safe; reused for every request.
/// </summary>
public interface IGatewayUpstream : IAsyncDisposable
{
    /// <summary>
    /// Calls a tool. Cancelling <paramref name="cancellationToken"/> (the call's <c>max_duration_ms</c>, or the
    /// client going away) abandons the call at once. Throws only for cancellation; every upstream failure is an
    /// <see cref="UpstreamResult"/>.
    /// </summary>
    ValueTask<UpstreamResult> CallToolAsync(UpstreamCall call, CancellationToken cancellationToken);
}

/// <summary>A tool call the gateway forwards.</summary>
/// <param name="Server">The target server's name (the route's <c>{server}</c>).</param>
/// <param name="Tool">The tool's name.</param>
/// <param name="Version">The tool's version.</param>
/// <param name="Arguments">The tool arguments: a JSON object.</param>
/// <param name="IdempotencyKey">The caller's idempotency key, forwarded (<c>x-idempotency-key</c>, or <c>_meta</c>).</param>
/// <param name="TraceParent">The gateway span's W3C <c>traceparent</c>, forwarded.</param>
/// <param name="Headers">Further headers forwarded to HTTP upstreams (agent state, cause ids, <c>baggage</c>).</param>
public sealed record UpstreamCall(string Server, string Tool, string Version, JsonElement Arguments, string IdempotencyKey, string? TraceParent, IReadOnlyDictionary<string, string> Headers);

/// <summary>How an upstream call ended.</summary>
public enum UpstreamOutcome
{
    /// <summary>The tool answered (an MCP result with <c>isError</c> is still an answer).</summary>
    Ok,

    /// <summary>The upstream answered with an error: an HTTP error status, a JSON-RPC error (502, or 503 when the upstream said 503).</summary>
    Error,

    /// <summary>The upstream could not be reached: connection refused, the process is gone, no pooled connection (502).</summary>
    Unreachable,

    /// <summary>The upstream is overloaded or starting (503).</summary>
    Unavailable,
}

/// <summary>The result of <see cref="IGatewayUpstream.CallToolAsync"/>.</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="Body">With <see cref="UpstreamOutcome.Ok"/>: the JSON returned to the caller (an MCP <c>CallToolResult</c>, or the legacy server's JSON, or <c>{"raw": text}</c>).</param>
/// <param name="UpstreamStatus">The HTTP status the upstream answered with, when it is an HTTP server.</param>
/// <param name="Message">What went wrong, for the caller and the log (no secrets).</param>
public sealed record UpstreamResult(UpstreamOutcome Outcome, byte[]? Body, int? UpstreamStatus, string? Message)
{
    /// <summary>A tool answer.</summary>
    public static UpstreamResult Ok(byte[] body, int? upstreamStatus = null) => new(UpstreamOutcome.Ok, body, upstreamStatus, null);
}

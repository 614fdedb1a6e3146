using System.Net.Http.Headers;

namespace Sec0.Gateway.Upstreams;

/// <summary>Copies a call's forwarded headers onto an upstream HTTP request.</summary>
internal static class UpstreamHeaders
{
    /// <summary>Header names that belong to the hop or the protocol, never copied from the caller.</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection",
        "proxy-authorization", "content-length", "content-type", "accept", "authorization",
        "x-idempotency-key", "traceparent",
    };

    public static void Apply(HttpRequestHeaders headers, UpstreamCall call)
    {
        headers.TryAddWithoutValidation("x-idempotency-key", call.IdempotencyKey);
        if (!string.IsNullOrEmpty(call.TraceParent))
        {
            headers.TryAddWithoutValidation("traceparent", call.TraceParent);
        }

        foreach (var (name, value) in call.Headers)
        {
            // MCP's own headers (Mcp-Session-Id, Mcp-Protocol-Version) are the client's to set.
            if (Reserved.Contains(name) || name.StartsWith("mcp-", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            headers.TryAddWithoutValidation(name, value);
        }
    }
}

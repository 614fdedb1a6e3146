using System.Text.Json;

namespace Sec0.Gateway;

/// <summary>A tool's answer through the gateway.</summary>
/// <param name="Body">The tool's result: an MCP <c>CallToolResult</c> for MCP servers, the server's JSON for Sec0 HTTP tool servers.</param>
/// <param name="TraceId">The gateway span's trace id (<c>x-trace-id</c>).</param>
/// <param name="SpanId">The gateway span's id (<c>x-span-id</c>).</param>
/// <param name="Replayed">True when the gateway returned the stored answer of an earlier call with the same idempotency key (<c>x-dedupe: replay</c>).</param>
/// <param name="IdempotencyKey">The key the call was sent with.</param>
public sealed record Sec0GatewayResult(JsonElement Body, string TraceId, string SpanId, bool Replayed, string IdempotencyKey);

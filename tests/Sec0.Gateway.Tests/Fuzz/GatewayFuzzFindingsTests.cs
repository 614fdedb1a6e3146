using System.Net;
using System.Text;
using Sec0.Gateway.Tests.Gateway;
using Sec0.Gateway.Tests.TestServers;
using Sec0.Gateway.Upstreams;

namespace Sec0.Gateway.Tests.Fuzz;

/// <summary>What the fuzz test found, each pinned by the input that found it: a 4xx (or a forwarded call), never a 5xx.</summary>
public sealed class GatewayFuzzFindingsTests : IAsyncLifetime
{
    private McpHttpTestServer _upstream = null!;
    private GatewayHarness _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await McpHttpTestServer.StartAsync();
        _gateway = await GatewayHarness.StartAsync(o => o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = _upstream.Url });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task A_chunk_size_that_overflows_is_a_400_not_a_500()
    {
        // Kestrel reports this one as an IOException ("Bad chunk size data", an OverflowException inside), not a BadHttpRequestException.
        var raw = Encoding.ASCII.GetBytes("POST /mcp/tools/echo@1.0.0 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nx-idempotency-key: chunk-overflow\r\n"
            + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\n{}\r\n");

        var response = await RawHttp.SendAsync(_gateway.Gateway.Url.Port, raw, halfClose: false, TimeSpan.FromSeconds(15));

        Assert.NotNull(response);
        Assert.Equal(400, response.Status);
        Assert.Contains("\"error\":\"MALFORMED_BODY\"", Encoding.UTF8.GetString(response.Body), StringComparison.Ordinal);
        var e = await EnvelopeAsync(response.Header("x-trace-id"), response.Header("x-span-id"));
        Assert.Equal(400, e.GetProperty("http_status").GetInt32());
        Assert.Equal("malformed_body", e.GetProperty("denial_reason").GetString());
        Assert.True(_gateway.Verify().IsIntact);
    }

    [Fact]
    public async Task An_absolute_form_request_target_reaches_the_tool_its_path_names()
    {
        var raw = Encoding.ASCII.GetBytes($"POST http://127.0.0.1:{_gateway.Gateway.Url.Port}/mcp/tools/echo@1.0.0 HTTP/1.1\r\nHost: 127.0.0.1:{_gateway.Gateway.Url.Port}\r\nConnection: close\r\n"
            + "x-idempotency-key: absolute-form\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");

        var response = await RawHttp.SendAsync(_gateway.Gateway.Url.Port, raw, halfClose: false, TimeSpan.FromSeconds(15));

        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        var e = await EnvelopeAsync(response.Header("x-trace-id"), response.Header("x-span-id"));
        Assert.Equal("mcp://tools/echo@1.0.0", e.GetProperty("tool_ref").GetString());
    }

    [Theory]
    [InlineData(63)]
    [InlineData(64)]
    public async Task Arguments_nested_too_deep_to_forward_are_a_400_not_a_502(int depth)
    {
        // The arguments travel inside a JSON-RPC request (params.arguments), two levels deeper than the body: at 63 or
        // 64 levels the MCP client could not serialize them (JsonException), and the caller got 502 UPSTREAM_ERROR.
        using var response = await _gateway.PostAsync("mcp/tools/echo@1.0.0", Nested(depth));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("MALFORMED_BODY", (await GatewayHarness.JsonAsync(response)).GetProperty("error").GetString());
        Assert.Equal(400, (await AuditWait.EnvelopeAsync(_gateway, response)).GetProperty("http_status").GetInt32());
        Assert.Equal(0, _upstream.PostHeaders.Count(h => h.TryGetValue("x-idempotency-key", out var key) && key == response.Headers.GetValues("x-idempotency-key").Single()));
    }

    [Fact]
    public async Task Arguments_nested_62_deep_are_forwarded()
    {
        using var response = await _gateway.PostAsync("mcp/tools/echo@1.0.0", Nested(62));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(200, (await AuditWait.EnvelopeAsync(_gateway, response)).GetProperty("http_status").GetInt32());
    }

    [Theory]
    [InlineData("x-node-id")]
    [InlineData("x-agent-ref")]
    [InlineData("baggage")]
    public async Task A_non_ascii_forwarded_header_does_not_break_the_upstream_call(string header)
    {
        // Kestrel takes UTF-8 header values; HttpClient cannot send them on (HttpRequestException: 502 UPSTREAM_ERROR).
        var value = Encoding.Latin1.GetString(Encoding.UTF8.GetBytes("代理-ü"));
        var raw = Encoding.Latin1.GetBytes("POST /mcp/tools/echo@1.0.0 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nx-idempotency-key: non-ascii-" + header + "\r\n"
            + header + ": " + value + "\r\nContent-Type: application/json\r\nContent-Length: 8\r\n\r\n{\"a\":1}\n");

        var response = await RawHttp.SendAsync(_gateway.Gateway.Url.Port, raw, halfClose: false, TimeSpan.FromSeconds(15));

        Assert.NotNull(response);
        Assert.True(response.Status == 200, $"HTTP {response.Status}: {Encoding.UTF8.GetString(response.Body)}");
        var e = await EnvelopeAsync(response.Header("x-trace-id"), response.Header("x-span-id"));
        Assert.Equal(200, e.GetProperty("http_status").GetInt32());
        if (header == "x-node-id")
        {
            Assert.Equal("代理-ü", e.GetProperty("nodeId").GetString());
        }

        Assert.True(_gateway.Verify().IsIntact);
    }

    private static string Nested(int depth) => "{\"d\":" + new string('[', depth - 1) + new string(']', depth - 1) + "}";

    private Task<System.Text.Json.JsonElement> EnvelopeAsync(string? trace, string? span) => AuditWait.EnvelopeAsync(_gateway, trace, span);
}

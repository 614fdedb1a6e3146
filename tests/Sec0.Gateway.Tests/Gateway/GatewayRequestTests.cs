using System.Net;
using System.Text;
using Sec0.Gateway.Upstreams;

namespace Sec0.Gateway.Tests.Gateway;

/// <summary>Requests refused before any tool runs: each is a 4xx JSON error with trace headers and an envelope, never a 500.</summary>
public sealed class GatewayRequestTests : IAsyncLifetime
{
    private GatewayHarness _gateway = null!;

    public async Task InitializeAsync()
        => _gateway = await GatewayHarness.StartAsync(o =>
        {
            // Nothing listens there: none of these requests may reach it.
            o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = new Uri($"http://127.0.0.1:{GatewayForwardingTests.UnusedPort()}/mcp") };
            o.DefaultMaxBodyBytes = 1024;
        });

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task A_missing_idempotency_key_is_a_400_with_the_documented_text()
    {
        using var response = await _gateway.PostAsync("mcp/tools/echo@1.0.0", idempotencyKey: string.Empty);

        var body = await AssertRefusedAsync(response, 400, "IDEMPOTENCY_KEY_REQUIRED");
        Assert.Equal("[sec0-gateway] x-idempotency-key header is required", body.GetProperty("message").GetString());
        Assert.Equal("idempotency_key_required", (await _gateway.EnvelopeOfAsync(response)).GetProperty("denial_reason").GetString());
    }

    [Theory]
    [InlineData("x-cause-trace", "not-hex")]
    [InlineData("x-cause-span", "00000000000000000")]
    [InlineData("x-agent-state", "%%%")]
    [InlineData("x-agent-state", "eyJ2ZXJzaW9uIjoyfQ")] // {"version":2}
    [InlineData("x-agent-state", "WzFd")] // [1]
    [InlineData("x-node-id", "")]
    public async Task A_malformed_caller_header_is_a_400(string header, string value)
    {
        using var response = await _gateway.PostAsync("mcp/tools/echo@1.0.0", configure: r => r.Headers.TryAddWithoutValidation(header, value));

        var body = await AssertRefusedAsync(response, 400, "BAD_HEADER");
        Assert.StartsWith("[sec0-gateway] " + header, body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_repeated_idempotency_key_header_is_a_400()
    {
        using var response = await _gateway.PostAsync("mcp/tools/echo@1.0.0", idempotencyKey: "a", configure: r => r.Headers.TryAddWithoutValidation("x-idempotency-key", "b"));

        await AssertRefusedAsync(response, 400, "BAD_HEADER");
    }

    [Theory]
    [InlineData("mcp/tools/echo")]
    [InlineData("mcp/tools/%2e%2e@1.0.0")]
    [InlineData("mcp/to%2Fols/echo@1.0.0")]
    [InlineData("mcp/tools/ec%01ho@1.0.0")]
    [InlineData("mcp/.hidden/echo@1.0.0")]
    [InlineData("mcp/tools/echo@1.0.0%20")]
    [InlineData("mcp/tools/echo@1.0.0%0A")]
    public async Task A_path_segment_outside_the_name_alphabet_is_a_400(string path)
    {
        using var response = await _gateway.PostAsync(path);

        await AssertRefusedAsync(response, 400, "BAD_REQUEST");
    }

    [Theory]
    [InlineData("nothing/here")]
    [InlineData("mcp/tools/echo@1.0.0/extra")]
    [InlineData("mcp")]
    public async Task An_unknown_route_is_a_404_in_json(string path)
    {
        using var response = await _gateway.PostAsync(path);

        await AssertRefusedAsync(response, 404, "NOT_FOUND");
    }

    [Fact]
    public async Task A_nul_in_the_path_is_refused_by_the_server_before_the_gateway()
    {
        // Kestrel answers 400 itself for a %00 in the path; nothing reaches the gateway or a tool.
        using var response = await _gateway.PostAsync("mcp/tools/ec%00ho@1.0.0");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(await _gateway.EnvelopesAsync());
    }

    [Fact]
    public async Task A_dot_dot_segment_does_not_reach_another_route()
    {
        using var response = await _gateway.PostAsync("mcp/tools/../../admin@1.0.0");

        Assert.InRange((int)response.StatusCode, 400, 404);
        GatewayHarness.AssertTraceHeaders(response);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task Other_methods_are_a_405_that_names_post(string method)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "mcp/tools/echo@1.0.0");
        request.Headers.TryAddWithoutValidation("x-idempotency-key", "k");
        using var response = await _gateway.Http.SendAsync(request);

        await AssertRefusedAsync(response, 405, "METHOD_NOT_ALLOWED");
        Assert.Contains("POST", response.Content.Headers.Allow);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413_whether_or_not_its_length_is_declared()
    {
        using var declared = await _gateway.PostAsync("mcp/tools/echo@1.0.0", "{\"a\":\"" + new string('x', 2000) + "\"}");
        await AssertRefusedAsync(declared, 413, "PAYLOAD_TOO_LARGE");

        using var request = new HttpRequestMessage(HttpMethod.Post, "mcp/tools/echo@1.0.0")
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{\"a\":\"" + new string('x', 5000) + "\"}"))),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.TransferEncodingChunked = true;
        request.Headers.TryAddWithoutValidation("x-idempotency-key", "chunked");
        using var chunked = await _gateway.Http.SendAsync(request);
        await AssertRefusedAsync(chunked, 413, "PAYLOAD_TOO_LARGE");
        Assert.Equal("payload_too_large", (await _gateway.EnvelopeOfAsync(chunked)).GetProperty("denial_reason").GetString());
    }

    [Theory]
    [InlineData("{", "MALFORMED_BODY")]
    [InlineData("[1,2]", "MALFORMED_BODY")]
    [InlineData("\"text\"", "MALFORMED_BODY")]
    [InlineData("{\"a\":1,\"a\":2}", "MALFORMED_INPUT")]
    [InlineData("{\"n\":1e400}", "MALFORMED_INPUT")]
    public async Task A_body_that_is_not_a_json_object_of_arguments_is_a_400(string json, string code)
    {
        using var response = await _gateway.PostAsync("mcp/tools/echo@1.0.0", json);

        await AssertRefusedAsync(response, 400, code);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_415()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "mcp/tools/echo@1.0.0") { Content = new StringContent("a=1", Encoding.UTF8, "application/x-www-form-urlencoded") };
        request.Headers.TryAddWithoutValidation("x-idempotency-key", "form");
        using var response = await _gateway.Http.SendAsync(request);

        await AssertRefusedAsync(response, 415, "UNSUPPORTED_MEDIA_TYPE");
    }

    [Fact]
    public async Task An_x_tenant_that_is_not_the_gateway_tenant_is_a_401_without_authentication_configured()
    {
        using var response = await _gateway.PostAsync("mcp/tools/echo@1.0.0", configure: r => r.Headers.TryAddWithoutValidation("x-tenant", "other"));

        var body = await AssertRefusedAsync(response, 401, "UNAUTHENTICATED");
        Assert.Equal("UNAUTHENTICATED: missing or invalid credentials", body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Every_refused_request_is_in_the_log_and_the_log_verifies()
    {
        using var a = await _gateway.PostAsync("mcp/tools/echo@1.0.0", idempotencyKey: string.Empty);
        using var b = await _gateway.PostAsync("nothing");
        using var c = await _gateway.PostAsync("mcp/tools/echo@1.0.0", "[");

        Assert.Equal(3, (await _gateway.EnvelopesAsync()).Count);
        var report = _gateway.Verify();
        Assert.True(report.IsIntact, string.Join("\n", report.Problems));
    }

    private async Task<System.Text.Json.JsonElement> AssertRefusedAsync(HttpResponseMessage response, int status, string code)
    {
        Assert.Equal(status, (int)response.StatusCode);
        GatewayHarness.AssertTraceHeaders(response);
        var body = await GatewayHarness.JsonAsync(response);
        Assert.Equal(code, body.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("message").GetString()));
        var e = await _gateway.EnvelopeOfAsync(response);
        Assert.Equal(status, e.GetProperty("http_status").GetInt32());
        Assert.Equal("error", e.GetProperty("status").GetString());
        Assert.Equal("gateway", e.GetProperty("denial_level").GetString());
        return body;
    }
}

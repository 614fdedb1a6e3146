using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Sec0.Gateway.Tests.TestServers;
using Sec0.Gateway.Upstreams;

namespace Sec0.Gateway.Tests.Gateway;

/// <summary>Calls forwarded to real tool servers (MCP over Streamable HTTP and stdio, a Sec0 HTTP tool server) and what each leaves in the log.</summary>
public sealed class GatewayForwardingTests
{
    [Fact]
    public async Task A_call_to_an_mcp_server_returns_its_result_with_trace_headers_and_leaves_one_signed_envelope()
    {
        await using var upstream = await McpHttpTestServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(o => o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = upstream.Url });

        var callerTrace = ActivityTraceId.CreateRandom().ToHexString();
        var callerSpan = ActivitySpanId.CreateRandom().ToHexString();
        using var response = await gateway.PostAsync("mcp/tools/echo@1.0.0", """{"b":2,"a":"x"}""", "key-1", r =>
        {
            r.Headers.TryAddWithoutValidation("traceparent", $"00-{callerTrace}-{callerSpan}-01");
            r.Headers.TryAddWithoutValidation("x-node-id", "order-agent");
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        GatewayHarness.AssertTraceHeaders(response);

        // The gateway's span is a child of the caller's: same trace, a new span.
        Assert.Equal(callerTrace, GatewayHarness.Header(response, "x-trace-id"));
        Assert.NotEqual(callerSpan, GatewayHarness.Header(response, "x-span-id"));
        Assert.Equal("key-1", GatewayHarness.Header(response, "x-idempotency-key"));
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var result = JsonDocument.Parse(bytes).RootElement;
        Assert.Contains("\"a\":\"x\"", result.GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);

        var e = await gateway.EnvelopeOfAsync(response);
        Assert.Equal("gateway", e.GetProperty("node_type").GetString());
        Assert.Equal("sec0-gateway@1.0.0", e.GetProperty("gateway").GetString());
        Assert.Equal(200, e.GetProperty("http_status").GetInt32());
        Assert.Equal("ok", e.GetProperty("status").GetString());
        Assert.Equal("mcp://tools/echo@1.0.0", e.GetProperty("tool_ref").GetString());
        Assert.Equal("allow", e.GetProperty("policy").GetProperty("decision").GetString());
        Assert.Equal("key-1", e.GetProperty("idempotency_key").GetString());
        Assert.Equal("order-agent", e.GetProperty("nodeId").GetString());
        Assert.Equal(callerTrace, e.GetProperty("cause_trace_id").GetString());
        Assert.Equal(callerSpan, e.GetProperty("cause_span_id").GetString());
        Assert.Equal(GatewayHarness.Sha256("""{"a":"x","b":2}"""u8.ToArray()), e.GetProperty("input_sha256").GetString());
        Assert.Equal(GatewayHarness.Sha256(bytes), e.GetProperty("output_sha256").GetString());

        // The members Sec0's TypeScript gateway writes: retries, a retention class, its own agent variables.
        Assert.Equal(0, e.GetProperty("retries").GetInt32());
        Assert.Equal("standard", e.GetProperty("policy").GetProperty("retention").GetString());
        var variables = e.GetProperty("agentVariables").GetProperty("GATEWAY");
        Assert.Equal("sec0-gateway@1.0.0", variables.GetProperty("gateway").GetString());
        Assert.Equal("ok", variables.GetProperty("status").GetString());
        Assert.False(e.TryGetProperty("risk_tags", out _));
        Assert.True(gateway.Verify().IsIntact);
    }

    [Fact]
    public async Task The_upstream_gets_the_gateway_span_as_its_parent_and_the_idempotency_key()
    {
        await using var upstream = await McpHttpTestServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(o => o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = upstream.Url });

        using var response = await gateway.PostAsync("mcp/tools/meta@1.0.0", "{}", "key-meta");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = (await GatewayHarness.JsonAsync(response)).GetProperty("content")[0].GetProperty("text").GetString()!;
        Assert.Contains("key-meta", text, StringComparison.Ordinal);
        Assert.Contains(GatewayHarness.Header(response, "x-span-id")!, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tool_that_fails_is_a_200_with_its_error_result_and_an_error_envelope()
    {
        await using var upstream = await McpHttpTestServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(o => o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = upstream.Url });

        using var response = await gateway.PostAsync("mcp/tools/fail@1.0.0");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await GatewayHarness.JsonAsync(response)).GetProperty("isError").GetBoolean());
        var e = await gateway.EnvelopeOfAsync(response);
        Assert.Equal("error", e.GetProperty("status").GetString());
        Assert.Equal(200, e.GetProperty("http_status").GetInt32());
    }

    [Fact]
    public async Task A_call_to_the_sample_stdio_server_runs_in_a_child_process()
    {
        using var work = new TempDirectory("stdio-sample");
        await using var gateway = await GatewayHarness.StartAsync(o => o.Targets["sample-tools"] = StdioSample.Target(work.Path));

        using var response = await gateway.PostAsync("mcp/sample-tools/get_time@1.0.0");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        GatewayHarness.AssertTraceHeaders(response);
        var text = (await GatewayHarness.JsonAsync(response)).GetProperty("content")[0].GetProperty("text").GetString()!;
        Assert.True(DateTimeOffset.TryParse(text, out _), text);
        Assert.Equal("ok", (await gateway.EnvelopeOfAsync(response)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_legacy_sec0_tool_server_is_called_at_invoke_tool_at_version()
    {
        await using var upstream = await LegacyToolTestServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(o => o.Targets["legacy"] = new GatewayTarget { Kind = GatewayTargetKind.LegacyHttp, Url = upstream.Url });

        using var response = await gateway.PostAsync("mcp/legacy/echo@2.0.0", """{"q":1}""", "legacy-key");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("/invoke/echo%402.0.0", upstream.RawPaths);
        var headers = Assert.Single(upstream.Headers);
        Assert.Equal("legacy-key", headers["x-idempotency-key"]);
        Assert.Equal(GatewayHarness.Header(response, "x-trace-id"), headers["x-cause-trace"]);
        Assert.Equal(GatewayHarness.Header(response, "x-span-id"), headers["x-cause-span"]);
    }

    [Theory]
    [InlineData("status-503", 503, "UPSTREAM_UNAVAILABLE")]
    [InlineData("status-500", 502, "UPSTREAM_ERROR")]
    [InlineData("status-404", 502, "UPSTREAM_ERROR")]
    public async Task An_upstream_error_status_maps_to_502_or_503_and_keeps_the_upstream_status(string tool, int expected, string code)
    {
        await using var upstream = await LegacyToolTestServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(o => o.Targets["legacy"] = new GatewayTarget { Kind = GatewayTargetKind.LegacyHttp, Url = upstream.Url });

        using var response = await gateway.PostAsync($"mcp/legacy/{tool}@1.0.0");

        Assert.Equal(expected, (int)response.StatusCode);
        GatewayHarness.AssertTraceHeaders(response);
        var body = await GatewayHarness.JsonAsync(response);
        Assert.Equal(code, body.GetProperty("error").GetString());
        Assert.Equal(int.Parse(tool["status-".Length..], System.Globalization.CultureInfo.InvariantCulture), body.GetProperty("upstream_status").GetInt32());
        var e = await gateway.EnvelopeOfAsync(response);
        Assert.Equal(expected, e.GetProperty("http_status").GetInt32());
        Assert.Equal("error", e.GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_unreachable_upstream_is_a_502()
    {
        var closedPort = UnusedPort();
        await using var gateway = await GatewayHarness.StartAsync(o => o.Targets["gone"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = new Uri($"http://127.0.0.1:{closedPort}/mcp") });

        using var response = await gateway.PostAsync("mcp/gone/echo@1.0.0");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("UPSTREAM_UNREACHABLE", (await GatewayHarness.JsonAsync(response)).GetProperty("error").GetString());
        Assert.Equal("upstream_unreachable", (await gateway.EnvelopeOfAsync(response)).GetProperty("denial_reason").GetString());
    }

    [Fact]
    public async Task A_hung_upstream_is_cut_at_max_duration_while_it_runs()
    {
        await using var upstream = await McpHttpTestServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(o =>
        {
            o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = upstream.Url };
            o.DefaultMaxDuration = TimeSpan.FromMilliseconds(500);
        });

        var watch = Stopwatch.StartNew();
        using var response = await gateway.PostAsync("mcp/tools/slow@1.0.0", """{"ms":30000}""");
        watch.Stop();

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        GatewayHarness.AssertTraceHeaders(response);
        Assert.Equal("UPSTREAM_TIMEOUT", (await GatewayHarness.JsonAsync(response)).GetProperty("error").GetString());
        var e = await gateway.EnvelopeOfAsync(response);
        Assert.Equal(504, e.GetProperty("http_status").GetInt32());
        Assert.True(e.GetProperty("latency_ms").GetDouble() < 10_000);
    }

    [Fact]
    public async Task An_unknown_server_is_a_502_target_not_found()
    {
        await using var upstream = await McpHttpTestServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(o => o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = upstream.Url });

        using var response = await gateway.PostAsync("mcp/nope/echo@1.0.0");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("TARGET_NOT_FOUND", (await GatewayHarness.JsonAsync(response)).GetProperty("error").GetString());
        Assert.Equal(502, (await gateway.EnvelopeOfAsync(response)).GetProperty("http_status").GetInt32());
    }

    internal static int UnusedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

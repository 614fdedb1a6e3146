using System.Diagnostics;
using System.Text.Json;
using Sec0.Gateway.Tests.TestServers;
using Sec0.Gateway.Upstreams;
using static Sec0.Gateway.Tests.Upstreams.UpstreamTestKit;

namespace Sec0.Gateway.Tests.Upstreams;

/// <summary><see cref="McpHttpUpstream"/> against a real Streamable HTTP MCP server on Kestrel.</summary>
public sealed class McpHttpUpstreamTests
{
    [Fact]
    public async Task Echo_round_trips_the_arguments()
    {
        await using var server = await McpHttpTestServer.StartAsync();
        await using var upstream = new McpHttpUpstream("srv", server.Url);
        const string arguments = """{"a":1,"b":"x","nested":{"c":[1,2,null]},"t":true}""";

        var result = ToolResult(await upstream.CallToolAsync(Call("echo", arguments), Bound()));

        Assert.False(IsError(result));
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(arguments).RootElement, JsonDocument.Parse(Text(result)).RootElement), Text(result));
    }

    [Fact]
    public async Task Throwing_tool_is_ok_with_is_error()
    {
        await using var server = await McpHttpTestServer.StartAsync();
        await using var upstream = new McpHttpUpstream("srv", server.Url);

        var result = ToolResult(await upstream.CallToolAsync(Call("fail"), Bound()));

        Assert.True(IsError(result));
    }

    [Fact]
    public async Task Unknown_tool_is_error()
    {
        await using var server = await McpHttpTestServer.StartAsync();
        await using var upstream = new McpHttpUpstream("srv", server.Url);

        var result = await upstream.CallToolAsync(Call("no_such_tool"), Bound());

        Assert.Equal(UpstreamOutcome.Error, result.Outcome);
        Assert.Contains("no_such_tool", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Non_object_arguments_are_an_error_without_a_call()
    {
        await using var server = await McpHttpTestServer.StartAsync();
        await using var upstream = new McpHttpUpstream("srv", server.Url);

        var result = await upstream.CallToolAsync(Call("echo", "[1]"), Bound());

        Assert.Equal(UpstreamOutcome.Error, result.Outcome);
        Assert.Empty(server.PostHeaders);
    }

    [Fact]
    public async Task Idempotency_key_and_trace_parent_go_in_meta_and_with_the_forwarded_headers_as_HTTP_headers()
    {
        await using var server = await McpHttpTestServer.StartAsync();
        await using var upstream = new McpHttpUpstream("srv", server.Url);
        var headers = new Dictionary<string, string> { ["x-agent-ref"] = "agent-1", ["baggage"] = "k=v", ["mcp-session-id"] = "forged" };

        var result = ToolResult(await upstream.CallToolAsync(Call("meta", headers: headers, key: "idem-42"), Bound()));

        var meta = JsonDocument.Parse(Text(result)).RootElement;
        Assert.Equal("idem-42", meta.GetProperty("x-idempotency-key").GetString());
        Assert.True(meta.TryGetProperty("traceparent", out _));
        var post = Assert.Single(server.PostHeaders, h => h.ContainsKey("x-idempotency-key"));
        Assert.Equal("idem-42", post["x-idempotency-key"]);
        Assert.Equal(TraceParent, post["traceparent"]);
        Assert.Equal("agent-1", post["x-agent-ref"]);
        Assert.Equal("k=v", post["baggage"]);
        Assert.NotEqual("forged", post.GetValueOrDefault("mcp-session-id"));
    }

    [Fact]
    public async Task One_client_is_reused_and_every_call_runs_exactly_once()
    {
        await using var server = await McpHttpTestServer.StartAsync();
        await using var upstream = new McpHttpUpstream("srv", server.Url);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => upstream.CallToolAsync(Call("count"), Bound()).AsTask()));

        Assert.All(results, r => Assert.False(IsError(ToolResult(r))));
        Assert.Equal(20, server.State.Count);
        // One connect (server/discover) for the twenty calls.
        Assert.Single(server.PostHeaders, h => !h.ContainsKey("x-idempotency-key"));
    }

    [Fact]
    public async Task Hung_call_is_abandoned_promptly_when_the_token_fires_and_the_session_still_works()
    {
        await using var server = await McpHttpTestServer.StartAsync();
        await using var upstream = new McpHttpUpstream("srv", server.Url);
        ToolResult(await upstream.CallToolAsync(Call("echo"), Bound()));
        using var timer = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => upstream.CallToolAsync(Call("slow", """{"ms":30000}"""), timer.Token).AsTask());

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Equal(1, server.State.SlowStarted);
        ToolResult(await upstream.CallToolAsync(Call("echo"), Bound()));
    }

    [Fact]
    public async Task Closed_port_is_unreachable_without_the_url()
    {
        var port = ClosedPort();
        await using var upstream = new McpHttpUpstream("srv", new Uri($"http://user:secret@127.0.0.1:{port}/mcp?token=t0p"));

        var result = await upstream.CallToolAsync(Call("echo"), Bound());

        Assert.Equal(UpstreamOutcome.Unreachable, result.Outcome);
        Assert.DoesNotContain("secret", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("t0p", result.Message, StringComparison.Ordinal);
        Assert.Contains("srv", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HTTP_503_is_unavailable_other_statuses_are_errors_keeping_the_status_then_the_session_recovers()
    {
        await using var server = await McpHttpTestServer.StartAsync();
        await using var upstream = new McpHttpUpstream("srv", server.Url);
        ToolResult(await upstream.CallToolAsync(Call("echo"), Bound()));

        server.FailNextPosts(503, 1);
        var unavailable = await upstream.CallToolAsync(Call("echo"), Bound());
        server.FailNextPosts(500, 1);
        var error = await upstream.CallToolAsync(Call("echo"), Bound());

        Assert.Equal((UpstreamOutcome.Unavailable, 503), (unavailable.Outcome, unavailable.UpstreamStatus));
        Assert.Equal((UpstreamOutcome.Error, 500), (error.Outcome, error.UpstreamStatus));
        ToolResult(await upstream.CallToolAsync(Call("echo"), Bound()));
    }

    [Fact]
    public async Task Expired_session_is_reopened_and_the_call_retried_once()
    {
        await using var server = await McpHttpTestServer.StartAsync(stateful: true);
        // A protocol revision with Streamable HTTP sessions (2.4's default, 2026-07-28, has none).
        await using var upstream = new McpHttpUpstream("srv", server.Url, null, protocolVersion: "2025-11-25");
        ToolResult(await upstream.CallToolAsync(Call("count"), Bound()));

        // A 404 to a request with a session id means the server forgot the session; the request never ran.
        server.FailNextPosts(404, 1);
        var result = await upstream.CallToolAsync(Call("count"), Bound());

        Assert.False(IsError(ToolResult(result)));
        Assert.Equal(2, server.State.Count);
        Assert.Equal(2, server.PostHeaders.Count(h => h.GetValueOrDefault("mcp-method") == "initialize"));
    }

    [Fact]
    public async Task HTTP_404_without_a_session_is_an_error_keeping_the_status()
    {
        await using var server = await McpHttpTestServer.StartAsync();
        await using var upstream = new McpHttpUpstream("srv", server.Url);
        ToolResult(await upstream.CallToolAsync(Call("count"), Bound()));

        server.FailNextPosts(404, 1);
        var result = await upstream.CallToolAsync(Call("count"), Bound());

        Assert.Equal((UpstreamOutcome.Error, 404), (result.Outcome, result.UpstreamStatus));
        Assert.Equal(1, server.State.Count);
    }

    [Fact]
    public async Task Server_gone_after_the_session_opened_is_unreachable()
    {
        var first = await McpHttpTestServer.StartAsync();
        await using var upstream = new McpHttpUpstream("srv", first.Url);
        ToolResult(await upstream.CallToolAsync(Call("echo"), Bound()));
        await first.DisposeAsync();

        var gone = await upstream.CallToolAsync(Call("echo"), Bound());

        Assert.Equal(UpstreamOutcome.Unreachable, gone.Outcome);
    }
}

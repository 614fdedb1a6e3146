using System.Net;
using Sec0.Gateway.Tests.TestServers;
using Sec0.Gateway.Upstreams;

namespace Sec0.Gateway.Tests.Gateway;

/// <summary>Idempotency through the gateway, against a real MCP server that counts how often it ran.</summary>
public sealed class GatewayIdempotencyTests
{
    [Fact]
    public async Task A_repeat_is_replayed_with_fresh_trace_headers_and_does_not_run_the_tool_again()
    {
        await using var upstream = await McpHttpTestServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(o => o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = upstream.Url });

        using var first = await gateway.PostAsync("mcp/tools/count@1.0.0", "{}", "same");
        using var second = await gateway.PostAsync("mcp/tools/count@1.0.0", "{}", "same");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Null(GatewayHarness.Header(first, "x-dedupe"));
        Assert.Equal("replay", GatewayHarness.Header(second, "x-dedupe"));
        GatewayHarness.AssertTraceHeaders(second);
        Assert.NotEqual(GatewayHarness.Header(first, "x-span-id"), GatewayHarness.Header(second, "x-span-id"));
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal(1, upstream.State.Count);

        var replay = await gateway.EnvelopeOfAsync(second);
        Assert.Equal("tools/call.replay", replay.GetProperty("op").GetString());
        Assert.Equal(200, replay.GetProperty("http_status").GetInt32());
        Assert.Equal((await gateway.EnvelopeOfAsync(first)).GetProperty("output_sha256").GetString(), replay.GetProperty("output_sha256").GetString());
    }

    [Fact]
    public async Task The_same_key_with_other_arguments_is_a_422_not_a_replay()
    {
        await using var upstream = await McpHttpTestServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(o => o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = upstream.Url });

        using var first = await gateway.PostAsync("mcp/tools/echo@1.0.0", """{"a":1}""", "k");
        using var other = await gateway.PostAsync("mcp/tools/echo@1.0.0", """{"a":2}""", "k");

        // The same arguments spelled differently are the same request.
        using var respelled = await gateway.PostAsync("mcp/tools/echo@1.0.0", """{ "a" : 1.0 }""", "k");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        Assert.Equal("IDEMPOTENCY_KEY_REUSED", (await GatewayHarness.JsonAsync(other)).GetProperty("error").GetString());
        GatewayHarness.AssertTraceHeaders(other);
        Assert.Equal(422, (await gateway.EnvelopeOfAsync(other)).GetProperty("http_status").GetInt32());
        Assert.Equal("replay", GatewayHarness.Header(respelled, "x-dedupe"));
    }

    [Fact]
    public async Task Keys_are_scoped_by_tool_so_another_tool_with_the_same_key_runs()
    {
        await using var upstream = await McpHttpTestServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(o => o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = upstream.Url });

        using var count = await gateway.PostAsync("mcp/tools/count@1.0.0", "{}", "shared");
        using var countV2 = await gateway.PostAsync("mcp/tools/count@2.0.0", "{}", "shared");

        Assert.Null(GatewayHarness.Header(countV2, "x-dedupe"));
        Assert.Equal(2, upstream.State.Count);
    }

    [Fact]
    public async Task Concurrent_duplicates_run_the_tool_once_and_all_get_its_answer()
    {
        await using var upstream = await McpHttpTestServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(o =>
        {
            o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = upstream.Url };
            o.Dedupe.WaitForFirst = TimeSpan.FromSeconds(20);
        });

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => gateway.PostAsync("mcp/tools/count@1.0.0", "{}", "burst")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, upstream.State.Count);
        Assert.Equal(49, responses.Count(r => GatewayHarness.Header(r, "x-dedupe") == "replay"));
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));
        Assert.Single(bodies.Distinct());
        Assert.Equal(50, (await gateway.EnvelopesAsync()).Count);
        foreach (var r in responses)
        {
            r.Dispose();
        }
    }

    [Fact]
    public async Task A_duplicate_of_a_call_still_running_after_the_wait_is_a_409()
    {
        await using var upstream = await McpHttpTestServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(o =>
        {
            o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = upstream.Url };
            o.Dedupe.WaitForFirst = TimeSpan.FromMilliseconds(200);
        });

        var slow = gateway.PostAsync("mcp/tools/slow@1.0.0", """{"ms":3000}""", "slow-key");
        await WaitUntilAsync(() => upstream.State.SlowStarted == 1);
        using var duplicate = await gateway.PostAsync("mcp/tools/slow@1.0.0", """{"ms":3000}""", "slow-key");
        using var original = await slow;

        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        var body = await GatewayHarness.JsonAsync(duplicate);
        Assert.Equal("IDEMPOTENT_DUPLICATE", body.GetProperty("error").GetString());
        Assert.Equal("Duplicate idempotent request", body.GetProperty("message").GetString());
        GatewayHarness.AssertTraceHeaders(duplicate);
        Assert.Equal(409, (await gateway.EnvelopeOfAsync(duplicate)).GetProperty("http_status").GetInt32());
        Assert.Equal(HttpStatusCode.OK, original.StatusCode);
        Assert.Equal(1, upstream.State.SlowStarted);
    }

    [Fact]
    public async Task A_failed_call_frees_its_key_so_a_retry_runs()
    {
        await using var upstream = await LegacyToolTestServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(o => o.Targets["legacy"] = new GatewayTarget { Kind = GatewayTargetKind.LegacyHttp, Url = upstream.Url });

        using var failed = await gateway.PostAsync("mcp/legacy/status-503@1.0.0", "{}", "retry-me");
        using var retried = await gateway.PostAsync("mcp/legacy/status-503@1.0.0", "{}", "retry-me");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, retried.StatusCode);
        Assert.Null(GatewayHarness.Header(retried, "x-dedupe"));
        Assert.Equal(2, upstream.Calls);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting");
            await Task.Delay(10);
        }
    }
}

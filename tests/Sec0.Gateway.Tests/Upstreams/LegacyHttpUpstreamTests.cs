using System.Diagnostics;
using System.Text.Json;
using Sec0.Gateway.Tests.TestServers;
using Sec0.Gateway.Upstreams;
using static Sec0.Gateway.Tests.Upstreams.UpstreamTestKit;

namespace Sec0.Gateway.Tests.Upstreams;

/// <summary><see cref="LegacyHttpUpstream"/> against a real TS-style tool server on Kestrel.</summary>
public sealed class LegacyHttpUpstreamTests
{
    [Fact]
    public async Task Echo_posts_the_arguments_to_the_encoded_invoke_path_and_returns_the_json_as_is()
    {
        await using var server = await LegacyToolTestServer.StartAsync();
        await using var upstream = new LegacyHttpUpstream("srv", server.Url);
        const string arguments = """{"a":1,"b":["x",null]}""";

        var result = await upstream.CallToolAsync(Call("echo", arguments, version: "1.2.3"), Bound());

        Assert.Equal((UpstreamOutcome.Ok, 200), (result.Outcome, result.UpstreamStatus));
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(arguments).RootElement, JsonDocument.Parse(result.Body!).RootElement));
        Assert.Equal("/invoke/echo%401.2.3", Assert.Single(server.RawPaths));
    }

    [Fact]
    public async Task No_arguments_posts_an_empty_object()
    {
        await using var server = await LegacyToolTestServer.StartAsync();
        await using var upstream = new LegacyHttpUpstream("srv", new Uri(server.Url + "/"));
        var call = Call("echo") with { Arguments = default };

        var result = await upstream.CallToolAsync(call, Bound());

        Assert.Equal("{}", System.Text.Encoding.UTF8.GetString(result.Body!));
    }

    [Fact]
    public async Task Headers_are_forwarded()
    {
        await using var server = await LegacyToolTestServer.StartAsync();
        await using var upstream = new LegacyHttpUpstream("srv", server.Url);
        var headers = new Dictionary<string, string>
        {
            ["x-node-id"] = "node-1",
            ["x-agent-ref"] = "agent-1",
            ["x-agent-state"] = "eyJ2ZXJzaW9uIjoxfQ",
            ["baggage"] = "k=v",
            ["x-cause-trace"] = "trace-1",
            ["host"] = "evil.example",
        };

        await upstream.CallToolAsync(Call("echo", headers: headers, key: "idem-7"), Bound());

        var received = Assert.Single(server.Headers);
        Assert.StartsWith("application/json", received["content-type"], StringComparison.Ordinal);
        Assert.Equal("idem-7", received["x-idempotency-key"]);
        Assert.Equal(TraceParent, received["traceparent"]);
        foreach (var (name, value) in headers.Where(h => h.Key != "host"))
        {
            Assert.Equal(value, received[name]);
        }

        Assert.NotEqual("evil.example", received["host"]);
    }

    [Fact]
    public async Task Upstream_503_is_unavailable_with_its_status_and_message()
    {
        await using var server = await LegacyToolTestServer.StartAsync();
        await using var upstream = new LegacyHttpUpstream("srv", server.Url);

        var result = await upstream.CallToolAsync(Call("status-503"), Bound());

        Assert.Equal((UpstreamOutcome.Unavailable, 503), (result.Outcome, result.UpstreamStatus));
        Assert.Contains("E503: status 503 requested", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("status-500", 500, "E500: status 500 requested")]
    [InlineData("status-409", 409, "E409: status 409 requested")]
    [InlineData("no-such-tool", 404, "TOOL_NOT_FOUND: no tool no-such-tool@1.0.0")]
    [InlineData("html-502", 502, "upstream answered HTTP 502")]
    public async Task Other_statuses_are_errors_keeping_the_status_and_the_upstreams_message(string tool, int status, string message)
    {
        await using var server = await LegacyToolTestServer.StartAsync();
        await using var upstream = new LegacyHttpUpstream("srv", server.Url);

        var result = await upstream.CallToolAsync(Call(tool), Bound());

        Assert.Equal((UpstreamOutcome.Error, status), (result.Outcome, result.UpstreamStatus));
        Assert.Contains(message, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Non_json_success_is_wrapped_as_raw()
    {
        await using var server = await LegacyToolTestServer.StartAsync();
        await using var upstream = new LegacyHttpUpstream("srv", server.Url);

        var result = await upstream.CallToolAsync(Call("text"), Bound());

        Assert.Equal(UpstreamOutcome.Ok, result.Outcome);
        var body = JsonDocument.Parse(result.Body!).RootElement;
        Assert.Equal("plain \"hello\"", body.GetProperty("raw").GetString());
    }

    [Fact]
    public async Task Hung_call_is_abandoned_promptly_when_the_token_fires()
    {
        await using var server = await LegacyToolTestServer.StartAsync();
        await using var upstream = new LegacyHttpUpstream("srv", server.Url);
        using var timer = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => upstream.CallToolAsync(Call("hang"), timer.Token).AsTask());

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Equal(1, server.Calls);
    }

    [Fact]
    public async Task Closed_port_is_unreachable()
    {
        await using var upstream = new LegacyHttpUpstream("srv", new Uri($"http://127.0.0.1:{ClosedPort()}/base"));

        var result = await upstream.CallToolAsync(Call("echo"), Bound());

        Assert.Equal(UpstreamOutcome.Unreachable, result.Outcome);
        Assert.Null(result.UpstreamStatus);
        Assert.Contains("connection refused", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answer_bigger_than_the_cap_is_an_error_not_a_truncated_answer()
    {
        await using var server = await LegacyToolTestServer.StartAsync();
        await using var upstream = new LegacyHttpUpstream("srv", server.Url, maxResponseBytes: 100_000);

        var fits = await upstream.CallToolAsync(Call("big-100000"), Bound());
        var tooBig = await upstream.CallToolAsync(Call("big-100001"), Bound());

        Assert.Equal(UpstreamOutcome.Ok, fits.Outcome);
        Assert.Equal(100_000, fits.Body!.Length);
        Assert.Equal(UpstreamOutcome.Error, tooBig.Outcome);
        Assert.Contains("upstream response too large", tooBig.Message, StringComparison.Ordinal);
    }
}

using System.Text.Json;

namespace Sec0.Mcp.Tests;

/// <summary>
/// A <c>tools/call</c> whose input canonical JSON (RFC 8785) cannot express is denied as <c>malformed_input</c>
/// before the tool runs, the client is told what is wrong, and the call is audited. The requests are written
/// as raw JSON-RPC: the SDK's client never produces them.
/// </summary>
public sealed class MalformedInputTests
{
    // The wire name, spelled out: envelopes, clients and deny_on lists carry this string.
    private const string MalformedInput = "malformed_input";

    /// <summary>Raw <c>params</c> of a malformed call, the tool it names, and words the client's error must contain.</summary>
    public static TheoryData<string, string, string> MalformedCalls() => new()
    {
        { """{"name":"echo","arguments":{"text":"hi","extra":{"a":1,"a":2}}}""", "echo", "argument \"extra\": duplicate member \"a\"" },
        { """{"name":"echo","arguments":{"text":"hi","extra":[{"deep":{"b":true,"b":false}}]}}""", "echo", "argument \"extra\": duplicate member \"b\"" },
        { """{"name":"echo","arguments":{"text":"hi","extra":1e400}}""", "echo", "argument \"extra\": the number 1e400 is outside the range of a double" },
        { """{"name":"echo","arguments":{"text":"hi","text":"ho"}}""", "echo", "duplicate argument \"text\"" },
        { """{"name":"send_payment","arguments":{"to":"a","amountCents":5},"_meta":{"x-idempotency-key":"k-1","x-idempotency-key":"k-2"}}""", "send_payment", "_meta: duplicate member \"x-idempotency-key\"" },
    };

    [Theory]
    [MemberData(nameof(MalformedCalls))]
    public async Task A_call_canonical_json_cannot_express_is_denied_as_malformed_input_and_audited(string rawParams, string tool, string detail)
    {
        var server = await McpTestServer.StartAsync(rawClient: true);
        await using (server)
        {
            var response = await server.Raw.RequestAsync("tools/call", rawParams);

            var result = response.GetProperty("result");
            Assert.True(result.GetProperty("isError").GetBoolean());
            var text = result.GetProperty("content")[0].GetProperty("text").GetString()!;
            Assert.Contains($"[sec0] Tool \"{tool}\" denied by policy: {MalformedInput}", text);
            Assert.Contains(detail, text);
            Assert.Equal(MalformedInput, result.GetProperty("_meta").GetProperty("sec0").GetProperty("denial_reason").GetString());
            Assert.Equal(0, server.Counter.Echo);
            Assert.Equal(0, server.Counter.SendPayment);

            var e = Assert.Single(await server.EnvelopesAsync());
            Assert.Equal("tools/call", e.GetProperty("op").GetString());
            Assert.Equal(tool, e.GetProperty("tool").GetString());
            Assert.Equal("error", e.GetProperty("status").GetString());
            Assert.Equal(MalformedInput, e.GetProperty("denial_reason").GetString());
            Assert.Equal(MalformedInput, e.GetProperty("decision_reason").GetString());
            Assert.Equal("deny", e.GetProperty("policy").GetProperty("decision").GetString());
            Assert.Equal("middleware", e.GetProperty("denial_level").GetString());
            Assert.Contains("audit_gap", e.GetProperty("risk_categories").EnumerateArray().Select(t => t.GetString()));
            Assert.Contains(MalformedInput, e.GetProperty("risk_tags").EnumerateArray().Select(t => t.GetString()));

            await server.StopAsync();
            var report = server.Verify();
            Assert.True(report.IsIntact, report.Summary);
        }
    }

    [Theory]
    [InlineData("{ mode: observe, deny_on: [] }")]
    [InlineData("{ deny_on: [] }")]
    [InlineData("{ strategy: deny_on_any, deny_on: [], escalate_on: [payload_too_large] }")]
    public async Task Malformed_input_blocks_whatever_deny_on_and_observe_mode_say(string enforcement)
    {
        var policy = McpTestServer.Policy[..McpTestServer.Policy.IndexOf("enforcement:", StringComparison.Ordinal)] + "enforcement: " + enforcement + "\n";
        await using var server = await McpTestServer.StartAsync(options => options.PolicyYaml = policy, rawClient: true);

        var malformed = await server.Raw.RequestAsync("tools/call", """{"name":"echo","arguments":{"text":{"a":1,"a":2}}}""");
        var wellFormed = await server.Raw.RequestAsync("tools/call", """{"name":"echo","arguments":{"text":"hi"}}""");

        Assert.True(malformed.GetProperty("result").GetProperty("isError").GetBoolean());
        Assert.False(wellFormed.GetProperty("result").TryGetProperty("isError", out var isError) && isError.GetBoolean());
        Assert.Equal(1, server.Counter.Echo);
        var envelopes = await server.EnvelopesAsync();
        Assert.Equal(2, envelopes.Count);
        Assert.Equal("deny", envelopes[0].GetProperty("policy").GetProperty("decision").GetString());
        Assert.Equal(MalformedInput, envelopes[0].GetProperty("denial_reason").GetString());
        Assert.Equal("ok", envelopes[1].GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_malformed_call_is_fingerprinted_by_the_bytes_received_and_does_not_break_the_next_call()
    {
        await using var server = await McpTestServer.StartAsync(rawClient: true);

        await server.Raw.RequestAsync("tools/call", """{"name":"echo","arguments":{"text":"hi","extra":{"a":1,"a":2}}}""");
        await server.Raw.RequestAsync("tools/call", """{"name":"echo", "arguments": { "text": "hi", "extra": {"a": 1, "a": 2} } }""");
        var next = await server.Raw.RequestAsync("tools/call", """{"name":"echo","arguments":{"text":"after"}}""");

        Assert.Equal("after", next.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
        var envelopes = await server.EnvelopesAsync();
        Assert.Equal(3, envelopes.Count);
        // Not canonical, but the same arguments give the same fingerprint whatever the whitespace.
        var fingerprint = envelopes[0].GetProperty("input_sha256").GetString();
        Assert.Matches("^[0-9a-f]{64}$", fingerprint);
        Assert.Equal(fingerprint, envelopes[1].GetProperty("input_sha256").GetString());
        Assert.NotEqual(fingerprint, envelopes[2].GetProperty("input_sha256").GetString());
        Assert.Equal(JsonValueKind.String, envelopes[2].GetProperty("input_sha256").ValueKind);
    }
}

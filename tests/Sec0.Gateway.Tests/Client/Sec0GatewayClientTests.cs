using System.Security.Cryptography;
using Sec0.Gateway.Auth;
using Sec0.Gateway.Tests.Gateway;
using Sec0.Gateway.Tests.TestServers;
using Sec0.Gateway.Upstreams;
using Sec0.Signing;

namespace Sec0.Gateway.Tests.Client;

/// <summary><see cref="Sec0GatewayClient"/> against a real gateway: keys, replays, errors, and the gateway hop's settings.</summary>
public sealed class Sec0GatewayClientTests
{
    [Fact]
    public async Task A_call_returns_the_tools_answer_and_a_retry_with_the_same_key_is_a_replayed_success()
    {
        await using var upstream = await McpHttpTestServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(o => o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = upstream.Url });
        using var http = new HttpClient();
        var client = new Sec0GatewayClient(http, new Sec0GatewayClientOptions { BaseUrl = gateway.Gateway.Url });

        var first = await client.CallToolAsync("tools", "count", "1.0.0", new { n = 1 }, idempotencyKey: "step-1");
        var retry = await client.CallToolAsync("tools", "count", "1.0.0", new { n = 1 }, idempotencyKey: "step-1");

        Assert.False(first.Replayed);
        Assert.True(retry.Replayed);
        Assert.Equal(first.Body.GetRawText(), retry.Body.GetRawText());
        Assert.Matches("^[0-9a-f]{32}$", retry.TraceId);
        Assert.Equal(1, upstream.State.Count);
    }

    [Fact]
    public async Task The_derived_key_is_run_node_tool_and_the_argument_hash_so_equal_arguments_replay()
    {
        await using var upstream = await McpHttpTestServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(o => o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = upstream.Url });
        using var http = new HttpClient();
        var client = new Sec0GatewayClient(http, new Sec0GatewayClientOptions { BaseUrl = gateway.Gateway.Url });

        var key = Sec0GatewayClient.IdempotencyKeyFor("run1", "agent", "count", "1.0.0", """{"a":1}"""u8);
        var call = await client.CallToolAsync("tools", "count", "1.0.0", new { a = 1 }, idempotencyKey: key);

        var hash = Convert.ToHexStringLower(SHA256.HashData("""{"a":1}"""u8))[..16];
        Assert.Equal($"run1:agent:count@1.0.0:{hash}", key);
        Assert.Equal(key, call.IdempotencyKey);

        // Outside a hop each call gets a run of its own: no accidental replay across unrelated calls.
        var a = await client.CallToolAsync("tools", "count", "1.0.0", new { a = 1 });
        var b = await client.CallToolAsync("tools", "count", "1.0.0", new { a = 1 });
        Assert.NotEqual(a.IdempotencyKey, b.IdempotencyKey);
        Assert.EndsWith(":node:count@1.0.0:" + hash, a.IdempotencyKey, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refusal_is_a_gateway_exception_with_the_status_code_reason_and_trace_ids()
    {
        await using var upstream = await McpHttpTestServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(o =>
        {
            o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = upstream.Url };
            o.Policy = Sec0.Policy.PolicyLoader.Parse("tenant: acme\ntools: { deny_if_unpinned_version: true }\nenforcement: { mode: enforce, deny_on: [version_unpinned] }\n", "p.yaml");
        });
        using var http = new HttpClient();
        var client = new Sec0GatewayClient(http, new Sec0GatewayClientOptions { BaseUrl = gateway.Gateway.Url });

        var error = await Assert.ThrowsAsync<Sec0GatewayException>(() => client.CallToolAsync("tools", "count", "latest"));

        Assert.Equal(403, error.StatusCode);
        Assert.Equal("VERSION_UNPINNED", error.Error);
        Assert.Equal("version_unpinned", error.DenialReason);
        Assert.Matches("^[0-9a-f]{16}$", error.SpanId);
        Assert.Equal(0, upstream.State.Count);
    }

    [Fact]
    public async Task A_gateway_hop_client_sends_the_configured_service_token_and_tenant()
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        await using var upstream = await McpHttpTestServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(o =>
        {
            o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = upstream.Url };
            o.CredentialValidators.Add(new ServiceTokenValidator(secret));
        });
        var token = ServiceTokenValidator.Issue(secret, GatewayHarness.Tenant, "agent-user", ["agents"], DateTimeOffset.UtcNow.AddHours(1));

        using var directory = new TempDirectory("gateway-hop");
        using (SigningKeyFile.Create(directory.Combine("keys", "ed25519.key"), SigningAlgorithm.Ed25519))
        {
        }

        var config = directory.Combine("sec0.config.yaml");
        File.WriteAllText(config, $"""
            app:
              tenant: {GatewayHarness.Tenant}
              environment: dev
              hops:
                Agent.CallTools:
                  type: gateway
                  gateway: edge
                  nodeId: tool-caller
                  gatewayBaseUrl: {gateway.Gateway.Url}
            auth:
              svcToken: {token}
            controlPlane:
              sec0Dir: ./.sec0
              localSignerPath: ./keys/ed25519.key
              appenderDir: ./logs
            """);

        await using (var app = Sec0App.Initialize(config))
        {
            using var http = new HttpClient();
            var client = Sec0GatewayClient.ForHop("Agent.CallTools", http);
            var result = await client.CallToolAsync("tools", "echo", "1.0.0", new { x = 1 });
            Assert.False(result.Replayed);
        }

        var e = (await gateway.EnvelopesAsync()).Single();
        Assert.Equal("agent-user", e.GetProperty("user").GetString());
        Assert.Equal(200, e.GetProperty("http_status").GetInt32());
    }
}

using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;
using Sec0.Policy;

namespace Sec0.Mcp.Tests;

/// <summary>Tool calls through the SDK's real client and server, in process over pipes.</summary>
public sealed class ToolCallTests
{
    private static readonly Dictionary<string, object?> s_payment = new() { ["to"] = "acct-2", ["amountCents"] = 500L };

    private static JsonElement Single(IReadOnlyList<JsonElement> envelopes, string tool, string op = "tools/call") =>
        Assert.Single(envelopes, e => e.GetProperty("op").GetString() == op && e.TryGetProperty("tool", out var t) && t.GetString() == tool);

    [Fact]
    public async Task Allowed_call_runs_the_handler_and_writes_one_envelope()
    {
        await using var server = await McpTestServer.StartAsync();
        const string traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

        var result = await server.CallAsync("read_status", traceparent: traceparent);

        Assert.NotEqual(true, result.IsError);
        Assert.Equal("ok", McpTestServer.Text(result));
        Assert.Equal(1, server.Counter.ReadStatus);
        var e = Single(await server.EnvelopesAsync(), "read_status");
        Assert.Equal("ok", e.GetProperty("status").GetString());
        Assert.Equal("tool", e.GetProperty("node_type").GetString());
        Assert.Equal("test-tools", e.GetProperty("server").GetString());
        Assert.Equal("mcp://test-tools/read_status@1.0.0", e.GetProperty("tool_ref").GetString());
        Assert.Equal("allow", e.GetProperty("policy").GetProperty("decision").GetString());
        Assert.True(e.GetProperty("registry_frozen").GetBoolean());
        // sha256 of the canonical JSON of no arguments, "{}".
        Assert.Equal("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", e.GetProperty("input_sha256").GetString());
        Assert.Equal(64, e.GetProperty("output_sha256").GetString()!.Length);
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", e.GetProperty("trace_id").GetString());
        Assert.Equal("00f067aa0ba902b7", e.GetProperty("cause_span_id").GetString());
        Assert.DoesNotContain("handler_swap", e.ToString());
    }

    [Fact]
    public async Task Denied_call_returns_an_error_result_naming_the_reason_and_the_handler_never_runs()
    {
        await using var server = await McpTestServer.StartAsync();

        var result = await server.CallAsync("forbidden_tool");

        Assert.True(result.IsError);
        Assert.Contains(PolicyReasons.ToolNotInAllowlist, McpTestServer.Text(result));
        Assert.Equal(0, server.Counter.Forbidden);
        var e = Single(await server.EnvelopesAsync(), "forbidden_tool");
        Assert.Equal("error", e.GetProperty("status").GetString());
        Assert.Equal(PolicyReasons.ToolNotInAllowlist, e.GetProperty("denial_reason").GetString());
        Assert.Equal("middleware", e.GetProperty("denial_level").GetString());
        Assert.Equal("deny", e.GetProperty("policy").GetProperty("decision").GetString());
    }

    [Fact]
    public async Task Payload_too_large_is_denied_before_the_handler()
    {
        await using var server = await McpTestServer.StartAsync();

        var small = await server.CallAsync("echo", new Dictionary<string, object?> { ["text"] = "hi" });
        var large = await server.CallAsync("echo", new Dictionary<string, object?> { ["text"] = new string('x', 2048) });

        Assert.NotEqual(true, small.IsError);
        Assert.True(large.IsError);
        Assert.Contains(PolicyReasons.PayloadTooLarge, McpTestServer.Text(large));
        Assert.Equal(1, server.Counter.Echo);
    }

    [Fact]
    public async Task Destructive_tool_without_idempotency_key_is_denied_with_one_it_runs()
    {
        await using var server = await McpTestServer.StartAsync();

        var without = await server.CallAsync("send_payment", s_payment);
        Assert.True(without.IsError);
        Assert.Contains(PolicyReasons.MissingIdempotencyForSideEffect, McpTestServer.Text(without));
        Assert.Equal(0, server.Counter.SendPayment);

        var with = await server.CallAsync("send_payment", s_payment, idempotencyKey: "pay-42");
        Assert.NotEqual(true, with.IsError);
        Assert.Equal(1, server.Counter.SendPayment);

        // Read-only tools need no key.
        Assert.NotEqual(true, (await server.CallAsync("read_status")).IsError);

        var envelopes = await server.EnvelopesAsync();
        var ok = Assert.Single(envelopes, e => e.GetProperty("tool").GetString() == "send_payment" && e.GetProperty("status").GetString() == "ok");
        Assert.Equal("pay-42", ok.GetProperty("idempotency_key").GetString());
        // A side effect is a risk category, not a violation: no risk_tags, no risk_score.
        Assert.Contains("side_effect", ok.GetProperty("risk_categories").EnumerateArray().Select(t => t.GetString()));
        Assert.False(ok.TryGetProperty("risk_tags", out _));
    }

    [Fact]
    public async Task Failing_sast_verdict_blocks_the_tool_before_its_first_call()
    {
        await using var server = await McpTestServer.StartAsync(options =>
            options.Sast.GetVerdict = subject => subject.Tool == "echo" ? ScanStatus.Fail : ScanStatus.Pass);

        var result = await server.CallAsync("echo", new Dictionary<string, object?> { ["text"] = "hi" });

        Assert.True(result.IsError);
        Assert.Contains(PolicyReasons.SastFailed, McpTestServer.Text(result));
        Assert.Equal(0, server.Counter.Echo);
        var e = Single(await server.EnvelopesAsync(), "echo");
        Assert.Equal("fail", e.GetProperty("sast_status").GetString());
    }

    [Fact]
    public async Task Tool_exception_is_recorded_as_error_and_the_client_gets_the_SDK_error_result()
    {
        await using var server = await McpTestServer.StartAsync();

        var result = await server.CallAsync("explode");

        Assert.True(result.IsError);
        var e = Single(await server.EnvelopesAsync(), "explode");
        Assert.Equal("error", e.GetProperty("status").GetString());
        Assert.False(e.TryGetProperty("denial_reason", out _));
    }

    [Fact]
    public async Task Registry_mutation_after_freeze_throws_is_audited_and_the_tool_list_is_unchanged()
    {
        await using var server = await McpTestServer.StartAsync();
        var registry = Assert.IsType<Sec0FreezableToolCollection>(server.Host.Services.GetRequiredService<IOptions<McpServerOptions>>().Value.ToolCollection);
        Assert.True(registry.IsFrozen);

        var late = McpServerTool.Create(() => "late", new McpServerToolCreateOptions { Name = "late_tool" });
        var add = Assert.Throws<Sec0RegistryFrozenException>(() => registry.TryAdd(late));
        Assert.Equal("REGISTRY_FROZEN", add.Code);
        Assert.Throws<Sec0RegistryFrozenException>(() => registry.Add(late));
        Assert.Throws<Sec0RegistryFrozenException>(() => registry.Remove(registry.First()));
        Assert.Throws<Sec0RegistryFrozenException>(registry.Clear);

        var tools = await server.Client.ListToolsAsync();
        Assert.Equal(5, tools.Count);
        Assert.DoesNotContain(tools, t => t.Name == "late_tool");

        var mutations = (await server.EnvelopesAsync()).Where(e => e.GetProperty("op").GetString()!.StartsWith("registry.", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, mutations.Count);
        Assert.All(mutations, e =>
        {
            Assert.True(e.GetProperty("registry_frozen").GetBoolean());
            Assert.Equal(PolicyReasons.RegistryMutation, e.GetProperty("denial_reason").GetString());
        });
    }

    [Fact]
    public async Task The_audit_directory_verifies()
    {
        var server = await McpTestServer.StartAsync();
        await using (server)
        {
            await server.CallAsync("read_status");
            await server.CallAsync("forbidden_tool");
            await server.CallAsync("send_payment", s_payment);
            await server.CallAsync("send_payment", s_payment, idempotencyKey: "k-1");
            await server.CallAsync("echo", new Dictionary<string, object?> { ["text"] = new string('y', 4096) });
            await server.StopAsync();

            Assert.Equal(5, McpTestServer.ReadEnvelopes(server.AuditDirectory).Count);
            var report = server.Verify();
            Assert.True(report.IsIntact, report.Summary);
        }
    }

    [Fact]
    public async Task Open_circuit_breaker_denies_before_the_tool()
    {
        var policy = McpTestServer.Policy.Replace(
            "enforcement:\n",
            "enforcement:\n  circuit_breakers: { error_rate_pct: 50, min_samples: 2, cooldown_ms: 600000 }\n",
            StringComparison.Ordinal);
        await using var server = await McpTestServer.StartAsync(options => options.PolicyYaml = policy);

        Assert.True((await server.CallAsync("explode")).IsError);
        Assert.True((await server.CallAsync("explode")).IsError);
        var third = await server.CallAsync("explode");

        Assert.True(third.IsError);
        Assert.Contains(PolicyReasons.CircuitOpen, McpTestServer.Text(third));
        var envelopes = (await server.EnvelopesAsync()).Where(e => e.GetProperty("tool").GetString() == "explode").ToList();
        Assert.Equal(3, envelopes.Count);
        Assert.Equal(PolicyReasons.CircuitOpen, envelopes[2].GetProperty("denial_reason").GetString());
    }

    [Fact]
    public async Task A_result_canonical_json_cannot_express_still_reaches_the_client_and_is_audited()
    {
        // An inner filter hands back structured content with a duplicate member, which RFC 8785 rejects.
        await using var server = await McpTestServer.StartAsync(afterSec0: builder =>
            builder.WithRequestFilters(filters => filters.AddCallToolFilter(next => async (context, cancellationToken) =>
            {
                var result = await next(context, cancellationToken);
                using var duplicate = System.Text.Json.JsonDocument.Parse("{\"a\":1,\"a\":2}");
                result.StructuredContent = duplicate.RootElement.Clone();
                return result;
            })));

        var result = await server.CallAsync("read_status");

        Assert.NotEqual(true, result.IsError);
        Assert.Equal("ok", McpTestServer.Text(result));
        var e = Single(await server.EnvelopesAsync(), "read_status");
        Assert.Equal("ok", e.GetProperty("status").GetString());
        Assert.Equal(64, e.GetProperty("output_sha256").GetString()!.Length);
        Assert.True(server.Verify().IsIntact);
    }
}

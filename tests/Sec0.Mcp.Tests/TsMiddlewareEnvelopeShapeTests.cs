using System.Text.Json;
using Sec0.Tests.Shared;

namespace Sec0.Mcp.Tests;

/// <summary>
/// An MCP call's envelope keeps the fields tools built for Sec0's TypeScript SDK read: the same denied call as a real
/// TS-written middleware line gives the same member names and types, and the same values where they are not ids,
/// times or hashes. The lists below are the documented differences (docs/audit-format.md, "Compared with the TypeScript SDK").
/// </summary>
public sealed class TsMiddlewareEnvelopeShapeTests
{
    private const string Policy = """
        tenant: demo
        default_retention: 30d
        tools:
          allowlist:
            - mcp://test-tools/read_status@1.0.0
        enforcement:
          deny_on: [tool_not_in_allowlist]
        """;

    [Fact]
    public async Task A_denied_tool_call_line_has_every_member_of_the_TS_line_with_the_same_type_and_value()
    {
        await using var server = await McpTestServer.StartAsync(options => options.PolicyYaml = Policy);

        // The traceparent the TS run sent: the cause ids are then the same values.
        var result = await server.CallAsync("forbidden_tool", traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        Assert.True(result.IsError);
        var envelope = Assert.Single(await server.EnvelopesAsync(), e => e.GetProperty("tool").GetString() == "forbidden_tool");
        var line = envelope.GetRawText();

        var problems = TsEnvelopeShape.Compare(
            TsEnvelopeShape.TsMiddlewareDenyLine,
            line,
            varying: Set("ts", "trace_id", "span_id", "latency_ms", "input_sha256", "server_snapshot", "sig"),
            // Not written: actor (= tenant), check_level/check_kind (the TS layer), fs_path (the TS tool's own
            // argument), and the agent state, which TS takes from x-node-id/x-agent-ref headers MCP calls do not carry here.
            absent: Set("actor", "check_level", "check_kind", "fs_path", "agentRef", "agentVariables"),
            // One spelling on every line, as TS hops and the gateway write it.
            renamed: new Dictionary<string, string> { ["env"] = "environment" },
            // server/tool/tool_ref/node_type name the called tool (mcp:// refs, as the allowlist matches them), not the
            // middleware; op is the MCP method; the target_* values are this test server's; nodeId is the server here;
            // risk_tags/risk_score: TS also tags handler_swap on every call (DESIGN.md defect 2), checked below.
            otherValue: Set("server", "tool", "tool_ref", "node_type", "op", "target_server", "target_tool", "target_tool_ref", "nodeId", "risk_tags", "risk_score"),
            // .NET hashes the denial result the client got; TS writes null when the handler did not run.
            nullable: Set("output_sha256"),
            added: Set("v", "seq", "prev", "key_id", "client_name", "denial_reason", "denial_type", "risk_categories", "risk_probability"));

        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n" + line);

        var root = envelope;
        Assert.Equal("tool", root.GetProperty("node_type").GetString());
        Assert.Equal("test-tools", root.GetProperty("server").GetString());
        Assert.Equal("forbidden_tool", root.GetProperty("tool").GetString());
        Assert.Equal("mcp://test-tools/forbidden_tool@1.0.0", root.GetProperty("tool_ref").GetString());
        Assert.Equal("test-tools@1.0.0", root.GetProperty("target_server").GetString());
        Assert.Equal("forbidden_tool", root.GetProperty("target_tool").GetString());
        Assert.Equal("test-tools@1.0.0 forbidden_tool", root.GetProperty("target_tool_ref").GetString());

        using var ts = JsonDocument.Parse(TsEnvelopeShape.TsMiddlewareDenyLine);
        var tsTags = ts.RootElement.GetProperty("risk_tags").EnumerateArray().Select(t => t.GetString()).Where(t => t != "handler_swap");
        var tags = root.GetProperty("risk_tags").EnumerateArray().Select(t => t.GetString()).ToList();
        Assert.Equal(tsTags, tags);
        Assert.Equal(Math.Min(100, 25 * tags.Count), root.GetProperty("risk_score").GetInt32());
        Assert.Equal(Math.Min(100, 25 * ts.RootElement.GetProperty("risk_tags").GetArrayLength()), ts.RootElement.GetProperty("risk_score").GetInt32());
        Assert.Equal(["supply_chain"], root.GetProperty("risk_categories").EnumerateArray().Select(t => t.GetString()));
        Assert.InRange(root.GetProperty("risk_probability").GetDouble(), 0.0, 1.0);
    }

    private static HashSet<string> Set(params string[] names) => new(names, StringComparer.Ordinal);
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;
using Sec0.Approvals;

namespace Sec0.Mcp.Tests;

/// <summary>
/// Escalated tool calls through the SDK's real client and server: the error result names the escalation, a reviewer
/// approves, and the retry with the token in <c>_meta</c> runs once; the tool never sees the token.
/// </summary>
public sealed class ApprovalTests
{
    private const string Policy = """
        tenant: test
        tools:
          allowlist: [mcp://test-tools/read_status@1.0.0]
        security:
          side_effects:
            approve_high_risk: true
            human_escalation: { approval_set_id: ops }
        enforcement:
          deny_on: [tool_not_in_allowlist]
        """;

    [Fact]
    public async Task An_escalated_call_runs_once_with_its_approval_token_and_the_tool_never_sees_it()
    {
        var store = Path.Combine(Path.GetTempPath(), "sec0-mcp-tests", "approvals-" + Guid.NewGuid().ToString("N"));
        var groups = new ApproverGroups(new Dictionary<string, IReadOnlyList<Reviewer>> { ["ops"] = [new Reviewer("olga", ["ops"])] });
        var seenByInnerFilters = new List<string>();
        await using var server = await McpTestServer.StartAsync(
            o =>
            {
                o.PolicyYaml = Policy;
                o.Approvals = new Sec0McpApprovalOptions { Directory = store, Groups = groups };
            },
            afterSec0: builder => builder.WithRequestFilters(filters => filters.AddCallToolFilter(next => (context, cancellationToken) =>
            {
                // Inside Sec0's guard, where the tool's own code starts: what _meta looks like by then.
                lock (seenByInnerFilters)
                {
                    seenByInnerFilters.Add(context.Params?.Meta?.ToJsonString() ?? string.Empty);
                }

                return next(context, cancellationToken);
            })));
        var arguments = new Dictionary<string, object?> { ["text"] = "hello" };

        var denied = await server.CallAsync("echo", arguments);
        Assert.True(denied.IsError);
        var sec0 = denied.Meta!["sec0"]!;
        var id = (string)sec0["escalation_id"]!;
        Assert.Equal("pending", (string?)sec0["escalation_status"]);
        Assert.Equal(0, server.Counter.Echo);

        // A reviewer (here through the same folder, as sec0 approvals would) approves; the agent waits for the token.
        await using var reviewer = new ApprovalService(new FileEscalationStore(store), groups, ApprovalTokens.FromKeyFile(Path.Combine(store, "token.key")));
        Assert.True((await reviewer.VoteAsync(id, "olga", "ops", ApprovalDecision.Approve, null, default)).Accepted);
        var grant = await reviewer.WaitForApprovalAsync(id, default);
        Assert.True(grant.Approved);

        var otherArguments = await CallWithTokenAsync(server, "echo", new() { ["text"] = "bye" }, grant.Token!);
        Assert.True(otherArguments.IsError);
        Assert.Contains("approval_token_other_call", McpTestServer.Text(otherArguments), StringComparison.Ordinal);

        var runs = await CallWithTokenAsync(server, "echo", arguments, grant.Token!);
        Assert.NotEqual(true, runs.IsError);
        Assert.Equal(1, server.Counter.Echo);
        Assert.Single(seenByInnerFilters);
        Assert.DoesNotContain(Sec0McpOptions.ApprovalTokenMetaName, seenByInnerFilters[0], StringComparison.Ordinal);

        var replay = await CallWithTokenAsync(server, "echo", arguments, grant.Token!);
        Assert.True(replay.IsError);
        Assert.Contains("approval_token_already_used", McpTestServer.Text(replay), StringComparison.Ordinal);
        Assert.Equal(1, server.Counter.Echo);

        var envelopes = McpTestServer.ReadEnvelopes(server.AuditDirectory);
        var ran = Assert.Single(envelopes, e => e.GetProperty("op").GetString() == "tools/call" && e.GetProperty("status").GetString() == "ok");
        Assert.Equal(id, ran.GetProperty("escalation_id").GetString());
        Assert.Equal("approved", ran.GetProperty("escalation_status").GetString());
        Assert.True(server.Verify().IsIntact);
    }

    private static Task<CallToolResult> CallWithTokenAsync(McpTestServer server, string tool, Dictionary<string, object?> arguments, string token) =>
        server.Client.CallToolAsync(new CallToolRequestParams
        {
            Name = tool,
            Arguments = arguments.ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value)),
            Meta = new JsonObject { [Sec0McpOptions.ApprovalTokenMetaName] = token },
        }).AsTask();
}

using System.Net;
using System.Text.Json;
using Sec0.Approvals;
using Sec0.Gateway.Tests.Gateway;
using Sec0.Gateway.Tests.TestServers;
using Sec0.Gateway.Upstreams;
using Sec0.Policy;

namespace Sec0.Gateway.Tests.Approvals;

/// <summary>
/// Escalated gateway calls end to end on a real Kestrel gateway and MCP server: the 403 names the escalation, a
/// reviewer approves, the caller fetches its token from <c>GET /approvals/{id}</c> and the retry runs once; tokens
/// for other calls, replays and other callers get nothing. (Entitlement refusals never escalate: the policy's own
/// tools allowlist is what escalates here.)
/// </summary>
public sealed class GatewayApprovalTests : IAsyncLifetime
{
    private const string Policy = """
        tenant: acme
        enforcement: { mode: enforce, deny_on: [tool_not_in_allowlist] }
        tools: { allowlist: ["mcp://tools/echo@*"] }
        security:
          side_effects:
            approve_high_risk: true
            human_escalation: { approval_strategy: single_approver, approval_set_id: ops }
        """;

    private readonly TempDirectory _dir = new("gateway-approvals");
    private McpHttpTestServer _upstream = null!;
    private ApprovalService? _approvals;

    public async Task InitializeAsync() => _upstream = await McpHttpTestServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _upstream.DisposeAsync();
        if (_approvals is not null)
        {
            await _approvals.DisposeAsync();
        }

        _dir.Dispose();
    }

    [Fact]
    public async Task An_escalated_call_waits_for_a_reviewer_then_runs_once_with_its_token()
    {
        await using var gateway = await StartAsync(Policy);

        using var denied = await gateway.PostAsync("mcp/tools/count@1.0.0", """{"n":3}""", configure: r => r.Headers.Add("x-node-id", "order-agent"));
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        var body = await GatewayHarness.JsonAsync(denied);
        Assert.Equal("escalation", body.GetProperty("denial_type").GetString());
        var id = body.GetProperty("escalation_id").GetString()!;
        Assert.Equal("pending", body.GetProperty("escalation_status").GetString());
        Assert.Equal(0, _upstream.State.Count);
        var deniedEnvelope = await gateway.EnvelopeOfAsync(denied);
        Assert.Equal(id, deniedEnvelope.GetProperty("escalation_id").GetString());
        Assert.Equal("pending", deniedEnvelope.GetProperty("escalation_status").GetString());

        // Pending: the status route has no token yet.
        var pending = await StatusAsync(gateway, id, "order-agent");
        Assert.Equal("pending", pending.GetProperty("escalation_status").GetString());
        Assert.False(pending.TryGetProperty("approval_token", out _));

        Assert.True((await _approvals!.VoteAsync(id, "olga", "ops", ApprovalDecision.Approve, "fine", default)).Accepted);
        var approved = await StatusAsync(gateway, id, "order-agent");
        Assert.Equal("approved", approved.GetProperty("escalation_status").GetString());
        var token = approved.GetProperty("approval_token").GetString()!;

        // Other arguments, another tool: refused, and the token is not spent.
        using var otherArgs = await Retry(gateway, "mcp/tools/count@1.0.0", """{"n":4}""", token);
        Assert.Equal(HttpStatusCode.Forbidden, otherArgs.StatusCode);
        Assert.Equal("APPROVAL_TOKEN_REFUSED", (await GatewayHarness.JsonAsync(otherArgs)).GetProperty("error").GetString());
        Assert.Equal("approval_token_other_call", (await GatewayHarness.JsonAsync(otherArgs)).GetProperty("denial_reason").GetString());
        using var otherTool = await Retry(gateway, "mcp/tools/count@2.0.0", """{"n":3}""", token);
        Assert.Equal(HttpStatusCode.Forbidden, otherTool.StatusCode);
        Assert.Equal(0, _upstream.State.Count);

        // The same call, members in another order (same canonical arguments): runs, once; the token never reaches the tool.
        using var runs = await Retry(gateway, "mcp/tools/count@1.0.0", """{ "n" : 3 }""", token);
        Assert.Equal(HttpStatusCode.OK, runs.StatusCode);
        Assert.Equal(1, _upstream.State.Count);
        var runEnvelope = await gateway.EnvelopeOfAsync(runs);
        Assert.Equal(id, runEnvelope.GetProperty("escalation_id").GetString());
        Assert.Equal("approved", runEnvelope.GetProperty("escalation_status").GetString());
        Assert.Equal("ok", runEnvelope.GetProperty("status").GetString());

        using var replay = await Retry(gateway, "mcp/tools/count@1.0.0", """{"n":3}""", token);
        Assert.Equal(HttpStatusCode.Forbidden, replay.StatusCode);
        Assert.Equal("approval_token_already_used", (await GatewayHarness.JsonAsync(replay)).GetProperty("denial_reason").GetString());
        var replayEnvelope = await gateway.EnvelopeOfAsync(replay);
        Assert.Equal("error", replayEnvelope.GetProperty("status").GetString());
        Assert.Equal("approval_token_already_used", replayEnvelope.GetProperty("denial_reason").GetString());
        Assert.Equal(id, replayEnvelope.GetProperty("escalation_id").GetString());

        // The header twice (one of them the valid token) is refused rather than guessed at, and not forwarded.
        using var doubled = await gateway.PostAsync("mcp/tools/count@1.0.0", """{"n":3}""", configure: r =>
        {
            r.Headers.Add("x-node-id", "order-agent");
            r.Headers.Add("x-sec0-approval-token", [token, "s0at_x.y"]);
        });
        Assert.Equal(HttpStatusCode.Forbidden, doubled.StatusCode);
        Assert.Equal("approval_token_invalid", (await GatewayHarness.JsonAsync(doubled)).GetProperty("denial_reason").GetString());
        Assert.False((await StatusAsync(gateway, id, "order-agent")).TryGetProperty("approval_token", out _));
        Assert.Equal(1, _upstream.State.Count);

        var ops = (await ApprovalRecordsAsync(gateway)).Select(e => e.GetProperty("op").GetString()).ToList();
        Assert.Contains("approval.created", ops);
        Assert.Contains("approval.vote", ops);
        Assert.Contains("approval.token_used", ops);
        Assert.Equal(4, ops.Count(op => op == "approval.token_refused"));
        Assert.True(gateway.Verify().IsIntact);
    }

    [Fact]
    public async Task A_retry_stopped_after_the_decision_keeps_its_token()
    {
        await using var gateway = await StartAsync(Policy);
        using var denied = await gateway.PostAsync("mcp/nowhere/count@1.0.0", "{}", configure: r => r.Headers.Add("x-node-id", "order-agent"));
        var id = (await GatewayHarness.JsonAsync(denied)).GetProperty("escalation_id").GetString()!;
        await _approvals!.VoteAsync(id, "olga", "ops", ApprovalDecision.Approve, null, default);
        var token = (await StatusAsync(gateway, id, "order-agent")).GetProperty("approval_token").GetString()!;

        // No such target: the retry fails after the decision, before the tool; the token is not spent by it.
        using var failed = await Retry(gateway, "mcp/nowhere/count@1.0.0", "{}", token);
        Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        Assert.Equal(token, (await StatusAsync(gateway, id, "order-agent")).GetProperty("approval_token").GetString());
    }

    [Fact]
    public async Task The_status_route_tells_nothing_to_other_tenants_nodes_strangers_or_forged_ids()
    {
        await using var gateway = await StartAsync(Policy);
        using var denied = await gateway.PostAsync("mcp/tools/count@1.0.0", "{}", configure: r => r.Headers.Add("x-node-id", "order-agent"));
        var id = (await GatewayHarness.JsonAsync(denied)).GetProperty("escalation_id").GetString()!;
        await _approvals!.VoteAsync(id, "olga", "ops", ApprovalDecision.Approve, null, default);

        Assert.Equal(HttpStatusCode.OK, (await GetStatusAsync(gateway, id, "order-agent")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await GetStatusAsync(gateway, id, "other-agent")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await GetStatusAsync(gateway, id, null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await GetStatusAsync(gateway, EscalationIds.New(), "order-agent")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await GetStatusAsync(gateway, "..%2F..%2Fetc%2Fpasswd", "order-agent")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await GetStatusAsync(gateway, id.ToUpperInvariant(), "order-agent")).StatusCode);
        using var post = await gateway.Http.PostAsync("approvals/" + id, new StringContent("{}"));
        Assert.NotEqual(HttpStatusCode.OK, post.StatusCode);
        var envelopes = await gateway.EnvelopesAsync();
        var statuses = envelopes.Where(e => e.GetProperty("op").GetString() == "approval.status").ToList();
        Assert.Equal(6, statuses.Count);
        Assert.Single(statuses, e => e.GetProperty("http_status").GetInt32() == 200 && e.GetProperty("escalation_id").GetString() == id);
        Assert.All(statuses.Where(e => e.GetProperty("http_status").GetInt32() == 404), e =>
        {
            Assert.Equal("error", e.GetProperty("status").GetString());
            Assert.Equal("escalation_not_found", e.GetProperty("denial_reason").GetString());
            Assert.False(e.TryGetProperty("escalation_id", out _));
        });
    }

    [Fact]
    public async Task Without_reviewers_the_403_says_no_approvers_configured_and_auto_allow_runs_the_call()
    {
        await using (var gateway = await StartAsync(Policy.Replace("approval_set_id: ops", "approval_set_id: nobody", StringComparison.Ordinal)))
        {
            using var denied = await gateway.PostAsync("mcp/tools/count@1.0.0", "{}");
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
            Assert.Equal("no_approvers_configured", (await GatewayHarness.JsonAsync(denied)).GetProperty("escalation_status").GetString());
        }

        await using (var gateway = await StartAsync(Policy.Replace("single_approver", "auto_allow", StringComparison.Ordinal)))
        {
            using var allowed = await gateway.PostAsync("mcp/tools/count@1.0.0", "{}");
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
            var e = await gateway.EnvelopeOfAsync(allowed);
            Assert.Equal("approved", e.GetProperty("escalation_status").GetString());
            Assert.Equal(1, _upstream.State.Count);
        }
    }

    private async Task<GatewayHarness> StartAsync(string policy)
    {
        if (_approvals is not null)
        {
            await _approvals.DisposeAsync();
        }

        return await GatewayHarness.StartAsync(o =>
        {
            o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = _upstream.Url };
            o.Policy = PolicyLoader.Parse(policy, "policy.yaml");
            var store = _dir.Combine("approvals-" + Guid.NewGuid().ToString("N"));
            _approvals = new ApprovalService(
                new FileEscalationStore(store),
                new ApproverGroups(new Dictionary<string, IReadOnlyList<Reviewer>> { ["ops"] = [new Reviewer("olga", ["ops"])] }),
                ApprovalTokens.FromKeyFile(Path.Combine(store, "token.key")),
                o.Appender);
            o.Approvals = _approvals;
        });
    }

    // The approvals records are the gateway log's too, with node_type approvals.
    private static async Task<List<JsonElement>> ApprovalRecordsAsync(GatewayHarness gateway)
    {
        await gateway.Appender.FlushAsync();
        var records = new List<JsonElement>();
        foreach (var file in Directory.GetFiles(gateway.AuditDirectory, "audit-*.ndjson").Order(StringComparer.Ordinal))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                var element = JsonDocument.Parse(line).RootElement.Clone();
                if (element.TryGetProperty("node_type", out var type) && type.GetString() == "approvals")
                {
                    records.Add(element);
                }
            }
        }

        return records;
    }

    private static Task<HttpResponseMessage> Retry(GatewayHarness gateway, string path, string json, string token) =>
        gateway.PostAsync(path, json, configure: r =>
        {
            r.Headers.Add("x-node-id", "order-agent");
            r.Headers.Add("x-sec0-approval-token", token);
        });

    private static Task<HttpResponseMessage> GetStatusAsync(GatewayHarness gateway, string id, string? nodeId)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "approvals/" + id);
        if (nodeId is not null)
        {
            request.Headers.Add("x-node-id", nodeId);
        }

        return gateway.Http.SendAsync(request);
    }

    private static async Task<JsonElement> StatusAsync(GatewayHarness gateway, string id, string nodeId)
    {
        using var response = await GetStatusAsync(gateway, id, nodeId);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        GatewayHarness.AssertTraceHeaders(response);
        return await GatewayHarness.JsonAsync(response);
    }
}

using System.Net;
using System.Text.Json;
using Sec0.Approvals;
using Sec0.Gateway.Tests.Gateway;
using Sec0.Gateway.Tests.TestServers;
using Sec0.Gateway.Upstreams;
using Sec0.Policy;

namespace Sec0.Gateway.Tests.ReviewerPage;

/// <summary>
/// A real gateway with approvals on and its reviewer page, in front of a real MCP server: <c>echo</c> is not in the
/// policy's allowlist, so calling it escalates. Reviewers of group <c>payments</c>: alice (finance), bob (finance,
/// security), erin (legal, a veto role); zed reviews only group <c>other</c>.
/// </summary>
internal sealed class ReviewerGateway : IAsyncDisposable
{
    public const string NodeId = "order-agent";

    private const string PolicyText = """
        tenant: acme
        enforcement: { mode: enforce, deny_on: [tool_not_in_allowlist] }
        tools: { allowlist: ["mcp://tools/count@*"] }
        security:
          side_effects:
            approve_high_risk: true
            human_escalation: { approval_strategy: single_approver, approval_set_id: payments, veto_roles: [legal] }
        """;

    private readonly McpHttpTestServer _upstream;
    private readonly TempDirectory _directory;

    private ReviewerGateway(McpHttpTestServer upstream, TempDirectory directory, GatewayHarness harness, ApprovalService approvals)
    {
        _upstream = upstream;
        _directory = directory;
        Harness = harness;
        Approvals = approvals;
    }

    public GatewayHarness Harness { get; }

    public ApprovalService Approvals { get; }

    public Uri Url => Harness.Gateway.Url;

    public static async Task<ReviewerGateway> StartAsync(Action<Sec0GatewayOptions>? configure = null)
    {
        var upstream = await McpHttpTestServer.StartAsync();
        var directory = new TempDirectory("reviewer-page");
        ApprovalService? approvals = null;
        var harness = await GatewayHarness.StartAsync(o =>
        {
            o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = upstream.Url };
            o.Policy = PolicyLoader.Parse(PolicyText, "policy.yaml");
            approvals = new ApprovalService(
                new FileEscalationStore(directory.Combine("approvals")),
                new ApproverGroups(new Dictionary<string, IReadOnlyList<Reviewer>>
                {
                    ["payments"] = [new("alice", ["finance"]), new("bob", ["finance", "security"]), new("erin", ["legal"])],
                    ["other"] = [new("zed", ["finance"])],
                }),
                ApprovalTokens.FromKeyFile(directory.Combine("approvals", "token.key")),
                o.Appender);
            o.Approvals = approvals;
            configure?.Invoke(o);
        });
        return new ReviewerGateway(upstream, directory, harness, approvals!);
    }

    /// <summary>A reviewer token for <paramref name="user"/>, valid for an hour.</summary>
    public string TokenFor(string user) => Approvals.ReviewerTokens.Issue(user, DateTimeOffset.UtcNow.AddHours(1));

    /// <summary>Calls <c>echo</c> with <paramref name="arguments"/>; it escalates. Returns the escalation id.</summary>
    public async Task<string> EscalateAsync(string arguments)
    {
        using var denied = await CallAsync(arguments, null);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        var body = await GatewayHarness.JsonAsync(denied);
        Assert.Equal("pending", body.GetProperty("escalation_status").GetString());
        return body.GetProperty("escalation_id").GetString()!;
    }

    public Task<HttpResponseMessage> CallAsync(string arguments, string? approvalToken) =>
        Harness.PostAsync("mcp/tools/echo@1.0.0", arguments, configure: r =>
        {
            r.Headers.Add("x-node-id", NodeId);
            if (approvalToken is not null)
            {
                r.Headers.Add("x-sec0-approval-token", approvalToken);
            }
        });

    /// <summary>
    /// What an agent does while people decide: polls <c>GET /approvals/{id}</c> until the escalation is resolved, then,
    /// when approved, retries the call with its approval token. Returns the retry's status and body.
    /// </summary>
    public async Task<(HttpStatusCode Status, string Body)> WaitAndRetryAsync(string id, string arguments, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "approvals/" + id);
            request.Headers.Add("x-node-id", NodeId);
            using var response = await Harness.Http.SendAsync(request, cts.Token);
            var status = await GatewayHarness.JsonAsync(response);
            if (status.TryGetProperty("approval_token", out var token))
            {
                using var retry = await CallAsync(arguments, token.GetString());
                return (retry.StatusCode, await retry.Content.ReadAsStringAsync(cts.Token));
            }

            if (status.GetProperty("escalation_status").GetString() != "pending")
            {
                return (HttpStatusCode.Forbidden, status.GetRawText());
            }

            await Task.Delay(100, cts.Token);
        }
    }

    /// <summary>The approvals records (node_type approvals) of the gateway's log.</summary>
    public async Task<List<JsonElement>> ApprovalRecordsAsync()
    {
        await Harness.Appender.FlushAsync();
        var records = new List<JsonElement>();
        foreach (var file in Directory.GetFiles(Harness.AuditDirectory, "audit-*.ndjson").Order(StringComparer.Ordinal))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { Length: > 0 } line)
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

    public async ValueTask DisposeAsync()
    {
        await Harness.DisposeAsync();
        await Approvals.DisposeAsync();
        await _upstream.DisposeAsync();
        _directory.Dispose();
    }
}

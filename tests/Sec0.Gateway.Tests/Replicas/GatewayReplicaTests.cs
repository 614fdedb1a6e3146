using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Sec0.Gateway.Tests.Postgres;
using Sec0.Gateway.Tests.TestServers;

namespace Sec0.Gateway.Tests.Replicas;

/// <summary>
/// Three gateway processes on 127.0.0.1 sharing one PostgreSQL database, as replicas behind a load balancer:
/// idempotency and quotas hold across them, the database going away fails closed and recovers, and a replica killed
/// mid-call neither leaves its key stuck nor lets the call run twice. Each replica keeps its own verifiable log.
/// </summary>
[Collection("postgres")]
public sealed class GatewayReplicaTests : IAsyncLifetime
{
    private readonly PostgresServer _server;
    private readonly TempDirectory _directory = new("gateway-replicas");
    private readonly List<GatewayReplica> _replicas = [];
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = TimeSpan.FromSeconds(90) };
    private LegacyToolTestServer _upstream = null!;

    public GatewayReplicaTests(PostgresServer server) => _server = server;

    public async Task InitializeAsync() => _upstream = await LegacyToolTestServer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }

        await _upstream.DisposeAsync();
        _http.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task Thousand_concurrent_duplicates_over_three_replicas_run_the_upstream_once_and_all_get_its_answer()
    {
        await StartReplicasAsync(3, "  dedupe: { wait_ms: 60000 }\n");

        var responses = await SendAllAsync(1000, i => (i % 3, "slow-300", "dup-1", "{\"n\":1}"));

        Assert.Equal(1, _upstream.Calls);
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Single(responses.Select(r => r.Body).Distinct());
        Assert.Single(responses, r => r.Dedupe is null);
        Assert.Equal(999, responses.Count(r => r.Dedupe == "replay"));
        await StopAndVerifyAsync(expectedEnvelopes: 1000);
    }

    [Fact]
    public async Task Daily_quota_of_100_over_three_replicas_lets_exactly_100_through()
    {
        await StartReplicasAsync(3, """
              quotas: { store: postgres }
              entitlements:
                plans: { small: { calls_per_day: 100 } }
                default_plan: small
                tenants: { acme: { allowlist: ["mcp://tools/*@*"] } }

            """);

        var responses = await SendAllAsync(1000, i => (i % 3, "echo", "q-" + i, "{}"));

        // Each replica got 333 or 334 requests: with a count per process 300 would have gone through.
        Assert.Equal(100, responses.Count(r => r.Status == HttpStatusCode.OK));
        Assert.Equal(900, responses.Count(r => r.Status == HttpStatusCode.TooManyRequests));
        Assert.Equal(100, _upstream.Calls);

        await StopAndVerifyAsync(expectedEnvelopes: 1000);
    }

    [Fact]
    public async Task Database_stopped_requests_fail_closed_with_503_and_an_audited_reason_then_recover_by_themselves()
    {
        await StartReplicasAsync(2, "");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(0, "echo", "before", "{}")).Status);

        await _server.StopAsync();
        List<Response> during;
        try
        {
            during = [.. await Task.WhenAll(Enumerable.Range(0, 10).Select(i => SendAsync(i % 2, "echo", "during-" + i, "{}")))];
        }
        finally
        {
            await _server.StartAsync();
        }

        Assert.All(during, r => Assert.Equal(HttpStatusCode.ServiceUnavailable, r.Status));
        Assert.All(during, r => Assert.Equal("STATE_UNAVAILABLE", JsonDocument.Parse(r.Body).RootElement.GetProperty("error").GetString()));
        Assert.Equal(1, _upstream.Calls);

        // No restart of anything: the replicas' pools reconnect by themselves.
        var deadline = Stopwatch.StartNew();
        Response after;
        do
        {
            after = await SendAsync(1, "echo", "after-" + deadline.ElapsedMilliseconds, "{}");
        }
        while (after.Status != HttpStatusCode.OK && deadline.Elapsed < TimeSpan.FromSeconds(30) && await Delay(250));
        Assert.Equal(HttpStatusCode.OK, after.Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(0, "echo", "after-0", "{}")).Status);

        var envelopes = await StopAndVerifyAsync(expectedEnvelopes: null);
        var refused = envelopes.Where(e => e.GetProperty("http_status").GetInt32() == 503).ToList();
        Assert.True(refused.Count >= 10, $"{refused.Count} envelopes record the 503s");
        Assert.All(refused, e => Assert.Contains("state_unavailable", e.GetRawText(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Replica_killed_mid_call_key_is_not_stuck_past_its_lease_and_the_call_does_not_run_twice_at_once()
    {
        // A 6 s lease, longer than the 4 s call limit (room for a 1 s call on a busy machine); duplicates give up after 300 ms.
        await StartReplicasAsync(3, "  dedupe: { lease_ms: 6000, wait_ms: 300 }\n  security: { limits: { max_duration_ms: 4000 } }\n");
        var killed = SendAsync(0, "slow-1000", "crash-1", "{\"x\":1}");
        await Until(() => _upstream.Calls == 1, TimeSpan.FromSeconds(20));
        var claimedAt = Stopwatch.StartNew();
        await _replicas[0].KillAsync();
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => killed);

        // While the dead replica's lease holds, the others neither run the call nor hand out an answer.
        var early = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => SendAsync(1 + (i % 2), "slow-1000", "crash-1", "{\"x\":1}")));
        if (claimedAt.Elapsed < TimeSpan.FromSeconds(5.5))
        {
            Assert.All(early, r => Assert.Equal(HttpStatusCode.Conflict, r.Status));
        }

        Assert.Equal(1, _upstream.Calls);

        // After the lease, concurrent retries over the two live replicas run it exactly once more.
        await Task.Delay(TimeSpan.FromSeconds(6.2) - claimedAt.Elapsed is { Ticks: > 0 } rest ? rest : TimeSpan.Zero);
        var retries = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => SendAsync(1 + (i % 2), "slow-1000", "crash-1", "{\"x\":1}", waitMs: 10_000)));
        Assert.Equal(2, _upstream.Calls);
        Assert.Contains(retries, r => r.Status == HttpStatusCode.OK && r.Dedupe is null);
        Assert.All(retries, r => Assert.True(r.Status is HttpStatusCode.OK or HttpStatusCode.Conflict, $"{r.Status}: {r.Body}"));

        var replay = await SendAsync(2, "slow-1000", "crash-1", "{\"x\":1}");
        Assert.Equal(HttpStatusCode.OK, replay.Status);
        Assert.Equal("replay", replay.Dedupe);
        Assert.Equal(2, _upstream.Calls);

        // The killed replica's log still verifies (what it flushed), and so do the others'.
        await StopAndVerifyAsync(expectedEnvelopes: null);
    }

    [Fact]
    public async Task An_escalation_on_one_replica_is_approved_once_for_all_and_its_token_runs_the_call_once_on_another()
    {
        var schema = await StartReplicasAsync(3, """
              enforcement: { mode: enforce, deny_on: [tool_not_in_allowlist] }
              tools: { allowlist: ["mcp://tools/echo@*"] }
              security: { side_effects: { approve_high_risk: true, human_escalation: { approval_set_id: ops } } }
            approvals:
              groups:
                ops: [{ user: olga, roles: [ops] }]

            """);

        var denied = await SendAsync(0, "slow-10", "esc-1", "{\"n\":1}");
        Assert.Equal(HttpStatusCode.Forbidden, denied.Status);
        using var deniedBody = JsonDocument.Parse(denied.Body);
        var id = deniedBody.RootElement.GetProperty("escalation_id").GetString()!;
        Assert.Equal("pending", deniedBody.RootElement.GetProperty("escalation_status").GetString());

        // A reviewer's vote lands in the shared database (the test process stands in for the reviewer page).
        await using (var state = await Sec0.Gateway.State.Postgres.PostgresGatewayState.OpenAsync(_server.ConnectionString, schema, TimeProvider.System, null, default))
        await using (var reviewer = new Sec0.Approvals.ApprovalService(state.Escalations, new Sec0.Approvals.ApproverGroups(
            new Dictionary<string, IReadOnlyList<Sec0.Approvals.Reviewer>> { ["ops"] = [new("olga", ["ops"])] }), await state.GetApprovalTokensAsync(default)))
        {
            Assert.True((await reviewer.VoteAsync(id, "olga", "ops", Sec0.Approvals.ApprovalDecision.Approve, null, default)).Accepted);
        }

        // Another replica hands out the token, a third runs the call with it, once.
        using var status = await _http.GetAsync(new Uri(_replicas[1].Url, "approvals/" + id));
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        using var statusBody = JsonDocument.Parse(await status.Content.ReadAsStringAsync());
        var token = statusBody.RootElement.GetProperty("approval_token").GetString()!;

        var runs = await SendWithTokenAsync(2, "slow-10", "esc-2", "{\"n\":1}", token);
        Assert.Equal(HttpStatusCode.OK, runs.Status);
        Assert.Equal(1, _upstream.Calls);
        var again = await SendWithTokenAsync(0, "slow-10", "esc-3", "{\"n\":1}", token);
        Assert.Equal(HttpStatusCode.Forbidden, again.Status);
        Assert.Contains("approval_token_already_used", again.Body, StringComparison.Ordinal);
        Assert.Equal(1, _upstream.Calls);
        await StopAndVerifyAsync(expectedEnvelopes: null);
    }

    private async Task<Response> SendWithTokenAsync(int replica, string tool, string key, string body, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_replicas[replica].Url, $"mcp/tools/{tool}@1.0.0"))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-idempotency-key", key);
        request.Headers.Add("x-sec0-approval-token", token);
        using var response = await _http.SendAsync(request);
        return new Response(replica, response.StatusCode, await response.Content.ReadAsStringAsync(), null);
    }

    private async Task<string> StartReplicasAsync(int count, string extra)
    {
        var schema = _server.NewSchema();
        var block = $"""
              port: 0
              targets: {"{"} tools: {_upstream.Url} {"}"}
              state: {"{"} store: postgres, schema: {schema} {"}"}

            """ + extra;
        var env = new Dictionary<string, string> { ["SEC0_GATEWAY_POSTGRES"] = _server.ConnectionString };
        var starts = Enumerable.Range(0, count).Select(i => GatewayReplica.StartAsync(_directory.Combine("replica-" + i), block, env));
        _replicas.AddRange(await Task.WhenAll(starts));
        return schema;
    }

    private async Task<Response[]> SendAllAsync(int count, Func<int, (int Replica, string Tool, string Key, string Body)> request)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, count).Select(async i =>
        {
            await gate.Task;
            var (replica, tool, key, body) = request(i);
            return await SendAsync(replica, tool, key, body);
        }).ToArray();
        gate.SetResult();
        return await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromMinutes(2));
    }

    private async Task<Response> SendAsync(int replica, string tool, string key, string body, int? waitMs = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_replicas[replica].Url, $"mcp/tools/{tool}@1.0.0"))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-idempotency-key", key);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(waitMs ?? 60_000));
        using var response = await _http.SendAsync(request, cancel.Token);
        var text = await response.Content.ReadAsStringAsync(cancel.Token);
        return new Response(replica, response.StatusCode, text, response.Headers.TryGetValues("x-dedupe", out var d) ? d.Single() : null);
    }

    /// <summary>Stops every replica gracefully, checks each log verifies, and returns their gateway envelopes.</summary>
    private async Task<List<JsonElement>> StopAndVerifyAsync(int? expectedEnvelopes)
    {
        var all = new List<JsonElement>();
        foreach (var replica in _replicas)
        {
            await replica.StopAsync();
            var report = replica.Verify();
            Assert.True(report.IsIntact, $"{replica.Directory}: {report.Summary} {string.Join("; ", report.Problems)}");
            all.AddRange(replica.Envelopes());
        }

        if (expectedEnvelopes is { } expected)
        {
            Assert.Equal(expected, all.Count);
        }

        return all;
    }

    private static async Task Until(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < timeout, "timed out waiting");
            await Task.Delay(20);
        }
    }

    private static async Task<bool> Delay(int ms)
    {
        await Task.Delay(ms);
        return true;
    }

    private sealed record Response(int Replica, HttpStatusCode Status, string Body, string? Dedupe);
}

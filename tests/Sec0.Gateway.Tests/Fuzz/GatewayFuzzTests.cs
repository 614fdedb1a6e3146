using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Sec0.Gateway.Tests.Gateway;
using Sec0.Gateway.Tests.TestServers;
using Sec0.Gateway.Upstreams;
using Xunit.Abstractions;

namespace Sec0.Gateway.Tests.Fuzz;

/// <summary>
/// Deterministic fuzzing of a real gateway in front of a real MCP server: malformed bodies, paths, headers, methods and
/// framing, sent with HttpClient where it can and over raw sockets where it cannot. Whatever arrives, the gateway
/// answers without a 5xx of its own, with its trace headers, and leaves exactly one envelope per request; the log verifies.
/// </summary>
public sealed class GatewayFuzzTests(ITestOutputHelper output)
{
    private const int DefaultSeed = 20_241_205;
    private const int DefaultCount = 2_000;
    private const long MaxBodyBytes = 8 * 1024;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);

    // The test server's tools: a 5xx naming any other tool or server is the upstream's (or the target's) answer, not the gateway's.
    private static readonly HashSet<string> s_knownTools = ["echo", "meta", "slow", "fail", "count"];

    [Fact]
    public async Task Malformed_requests_never_get_a_gateway_5xx_and_each_leaves_exactly_one_envelope()
    {
        var seed = EnvInt("SEC0_FUZZ_SEED", DefaultSeed);
        var count = EnvInt("SEC0_FUZZ_COUNT", DefaultCount);
        var clock = Stopwatch.StartNew();

        await using var upstream = await McpHttpTestServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync(o =>
        {
            o.Targets["tools"] = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = upstream.Url };
            o.DefaultMaxBodyBytes = MaxBodyBytes;
        });
        var port = gateway.Gateway.Url.Port;
        var cases = new FuzzCases(seed, MaxBodyBytes, port);

        var failures = new List<string>();
        var gatewayStatuses = new SortedDictionary<int, int>();
        var serverStatuses = new SortedDictionary<int, int>();
        var kinds = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var answered = new Dictionary<(string Trace, string Span), (int Status, FuzzRequest Request)>();
        var unanswered = new List<FuzzRequest>();
        int viaRaw = 0, viaHttpClient = 0, allowedUpstream5xx = 0;

        for (var i = 0; i < count; i++)
        {
            var request = cases.Next(i);
            kinds[request.Kind] = kinds.GetValueOrDefault(request.Kind) + 1;
            FuzzResponse? response;
            try
            {
                if (request.HttpClientCanSend(gateway.Http.BaseAddress!))
                {
                    viaHttpClient++;
                    response = await SendWithHttpClientAsync(gateway.Http, request);
                }
                else
                {
                    viaRaw++;
                    response = await RawHttp.SendAsync(port, request.ToRawBytes(port), request.HalfClose, RequestTimeout);
                }
            }
            catch (Exception ex) when (ex is TimeoutException or HttpRequestException or TaskCanceledException or InvalidDataException or IOException)
            {
                failures.Add($"{request}\n    -> transport failure: {ex.GetType().Name}: {ex.Message}");
                continue;
            }

            if (response is null)
            {
                // Only a request whose sending side closed early may go unanswered (the gateway still records it).
                unanswered.Add(request);
                if (!request.HalfClose)
                {
                    failures.Add($"{request}\n    -> no response");
                }

                continue;
            }

            Check(request, response, failures, gatewayStatuses, serverStatuses, answered, ref allowedUpstream5xx);
        }

        var sent = clock.Elapsed;

        // Every request the gateway handled is in the log once: the answered ones by their ids, plus the unanswered.
        var expected = answered.Count + unanswered.Count;
        IReadOnlyList<JsonElement> envelopes = [];
        var wait = Stopwatch.StartNew();
        do
        {
            envelopes = await gateway.EnvelopesAsync();
            if (envelopes.Count >= expected)
            {
                break;
            }

            await Task.Delay(50);
        }
        while (wait.Elapsed < TimeSpan.FromSeconds(10));

        await Task.Delay(200);
        envelopes = await gateway.EnvelopesAsync();
        var byIds = envelopes.GroupBy(e => (e.GetProperty("trace_id").GetString()!, e.GetProperty("span_id").GetString()!)).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var (ids, (status, request)) in answered)
        {
            if (!byIds.TryGetValue(ids, out var matches))
            {
                failures.Add($"{request}\n    -> HTTP {status} has no envelope ({ids.Trace}/{ids.Span})");
            }
            else if (matches.Count != 1)
            {
                failures.Add($"{request}\n    -> HTTP {status} has {matches.Count} envelopes");
            }
            else if (matches[0].GetProperty("http_status").GetInt32() != status)
            {
                failures.Add($"{request}\n    -> HTTP {status} but the envelope says {matches[0].GetProperty("http_status").GetInt32()}");
            }
        }

        var unmatched = byIds.Where(g => !answered.ContainsKey(g.Key)).SelectMany(g => g.Value).ToList();
        if (envelopes.Count != expected || unmatched.Count != unanswered.Count)
        {
            failures.Add($"{envelopes.Count} envelopes for {answered.Count} gateway responses and {unanswered.Count} unanswered requests ({unmatched.Count} envelopes match no response: statuses {string.Join(",", unmatched.Select(e => e.GetProperty("http_status").GetInt32()))})");
        }

        // Still alive and still forwarding.
        using var normal = await gateway.PostAsync("mcp/tools/echo@1.0.0", """{"after":"fuzz"}""");
        if (normal.StatusCode != HttpStatusCode.OK)
        {
            failures.Add($"the normal request after the fuzz got HTTP {(int)normal.StatusCode}: {await normal.Content.ReadAsStringAsync()}");
        }

        var report = gateway.Verify();
        if (!report.IsIntact)
        {
            failures.Add("the audit log does not verify: " + string.Join("; ", report.Problems.Take(5)));
        }

        output.WriteLine($"seed {seed}: {count} requests ({viaHttpClient} HttpClient, {viaRaw} raw socket) in {sent.TotalSeconds:0.0} s, {clock.Elapsed.TotalSeconds:0.0} s in all");
        output.WriteLine($"gateway responses (x-trace-id): {answered.Count} by status {Format(gatewayStatuses)}; upstream/target 5xx for unknown tools or servers: {allowedUpstream5xx}");
        output.WriteLine($"refused by Kestrel itself (no x-trace-id): {serverStatuses.Values.Sum()} by status {Format(serverStatuses)}");
        output.WriteLine($"unanswered (the caller half-closed): {unanswered.Count}; envelopes: {envelopes.Count} ({unmatched.Count} of requests without an answer)");
        output.WriteLine("cases: " + string.Join(", ", kinds.Select(k => $"{k.Key}={k.Value}")));
        foreach (var failure in failures.Take(30))
        {
            output.WriteLine("FAIL " + failure);
        }

        Assert.True(failures.Count == 0, $"{failures.Count} fuzz failures (seed {seed}); first ones:\n" + string.Join("\n", failures.Take(15)));
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(count <= DefaultCount ? 60 : 600));
    }

    private static void Check(
        FuzzRequest request,
        FuzzResponse response,
        List<string> failures,
        SortedDictionary<int, int> gatewayStatuses,
        SortedDictionary<int, int> serverStatuses,
        Dictionary<(string, string), (int, FuzzRequest)> answered,
        ref int allowedUpstream5xx)
    {
        var trace = response.Header("x-trace-id");
        if (trace is null)
        {
            // Kestrel refused the request before any app code ran: a 4xx, never a 5xx.
            serverStatuses[response.Status] = serverStatuses.GetValueOrDefault(response.Status) + 1;
            if (response.Status is < 400 or >= 500)
            {
                failures.Add($"{request}\n    -> HTTP {response.Status} without x-trace-id");
            }

            return;
        }

        gatewayStatuses[response.Status] = gatewayStatuses.GetValueOrDefault(response.Status) + 1;
        var span = response.Header("x-span-id");
        if (response.Count("x-trace-id") != 1 || response.Count("x-span-id") != 1 || response.Count("traceparent") != 1
            || !IsHex(trace, 32) || span is null || !IsHex(span, 16) || response.Header("traceparent") is not { } traceparent
            || !(traceparent == $"00-{trace}-{span}-01" || traceparent == $"00-{trace}-{span}-00"))
        {
            failures.Add($"{request}\n    -> HTTP {response.Status} with bad trace headers: x-trace-id={trace} x-span-id={span} traceparent={response.Header("traceparent")}");
        }

        if (span is not null && !answered.TryAdd((trace, span), (response.Status, request)))
        {
            failures.Add($"{request}\n    -> the ids {trace}/{span} were already on another response");
        }

        string? code = null;
        if (request.Method != "HEAD" && response.Status >= 400)
        {
            try
            {
                using var body = JsonDocument.Parse(response.Body);
                code = body.RootElement.GetProperty("error").GetString();
                if (string.IsNullOrEmpty(body.RootElement.GetProperty("message").GetString()))
                {
                    failures.Add($"{request}\n    -> HTTP {response.Status} {code} without a message");
                }
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                failures.Add($"{request}\n    -> HTTP {response.Status} with a body that is not a gateway error: {FuzzRequest.Printable(Encoding.UTF8.GetString(response.Body), 200)}");
            }
        }

        if (response.Status >= 500)
        {
            if (IsUpstreamsAnswer(request, code))
            {
                allowedUpstream5xx++;
            }
            else
            {
                failures.Add($"{request}\n    -> HTTP {response.Status} {code}: {FuzzRequest.Printable(Encoding.UTF8.GetString(response.Body), 300)}");
            }
        }
    }

    /// <summary>A 5xx that is the target's answer: no such server (TARGET_NOT_FOUND), or the MCP server refusing a tool it does not have.</summary>
    private static bool IsUpstreamsAnswer(FuzzRequest request, string? code)
    {
        var path = request.Target.Split('?')[0];
        var parts = path.StartsWith("/mcp/", StringComparison.Ordinal) ? path[5..].Split('/') : [];
        if (parts.Length != 2)
        {
            return false;
        }

        var tool = parts[1][..Math.Max(0, parts[1].LastIndexOf('@'))];
        return (code == "TARGET_NOT_FOUND" && parts[0] != "tools")
               || (code == "UPSTREAM_ERROR" && parts[0] == "tools" && !s_knownTools.Contains(tool));
    }

    private static async Task<FuzzResponse?> SendWithHttpClientAsync(HttpClient http, FuzzRequest request)
    {
        using var message = request.ToHttpRequestMessage();
        using var timeout = new CancellationTokenSource(RequestTimeout);
        using var response = await http.SendAsync(message, timeout.Token);
        var headers = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!headers.TryGetValue(name, out var list))
            {
                headers[name] = list = [];
            }

            list.AddRange(values);
        }

        return new FuzzResponse((int)response.StatusCode, headers, await response.Content.ReadAsByteArrayAsync(timeout.Token));
    }

    private static bool IsHex(string value, int length)
        => value.Length == length && value.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    private static string Format(SortedDictionary<int, int> statuses) => string.Join(" ", statuses.Select(s => $"{s.Key}×{s.Value}"));

    private static int EnvInt(string name, int fallback)
        => int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}

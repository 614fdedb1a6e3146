using System.Text;
using Sec0.ControlPlane;

namespace Sec0.Instrumentation.Tests.ControlPlane;

public sealed class ControlPlaneClientTests : IAsyncLifetime
{
    private ReferenceControlPlane _server = null!;

    public async Task InitializeAsync() => _server = await ReferenceControlPlane.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private ControlPlaneClient Client(string? key = null, int timeoutMs = 2000) => new(new ControlPlaneClientOptions
    {
        BaseUrl = _server.BaseUrl,
        ApiKey = key ?? _server.ApiKey,
        RequestTimeout = TimeSpan.FromMilliseconds(timeoutMs),
    });

    [Fact]
    public async Task Validate_key_returns_the_hierarchy_and_sends_the_key_in_header_and_body()
    {
        using var client = Client();
        var hierarchy = await client.ValidateKeyAsync();
        Assert.Equal(new ControlPlaneHierarchy("demo", "dev", "demo-agents", "1.0.0", "user-1"), hierarchy);
        var request = Assert.Single(_server.Requests);
        Assert.Equal(_server.ApiKey, request.Headers["x-api-key"]);
        Assert.Equal(_server.ApiKey, request.Json.GetProperty("apiKey").GetString());
    }

    [Fact]
    public async Task A_refused_key_says_so_in_the_documented_words()
    {
        using var client = Client("sec0_wrong_key_0000000000");
        var ex = await Assert.ThrowsAsync<ControlPlaneException>(() => client.ValidateKeyAsync());
        Assert.StartsWith("[sec0] API key validation failed: verify your SEC0_API_KEY is valid and the control plane is reachable", ex.Message);
        Assert.Contains("answered 401", ex.Message);
        Assert.Equal(ControlPlaneException.UnauthorizedCode, ex.Code);
        Assert.False(ex.IsRetryable);
        Assert.DoesNotContain("sec0_wrong_key", ex.Message);
    }

    [Theory]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(429, true)]
    [InlineData(404, false)]
    [InlineData(400, false)]
    public async Task Statuses_are_classified_retryable_or_not(int status, bool retryable)
    {
        _server.Fail(ControlPlaneRoute.Policy, new ControlPlaneFault(Status: status));
        using var client = Client();
        var ex = await Assert.ThrowsAsync<ControlPlaneException>(() => client.GetPolicyAsync("demo", "middleware", null, null));
        Assert.Equal(status, ex.StatusCode);
        Assert.Equal(retryable, ex.IsRetryable);
        Assert.Contains($"answered {status}", ex.Message);
    }

    [Fact]
    public async Task A_slow_control_plane_times_out_within_the_request_timeout()
    {
        _server.Fail(ControlPlaneRoute.ValidateKey, new ControlPlaneFault(Delay: TimeSpan.FromSeconds(10)));
        using var client = Client(timeoutMs: 300);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<ControlPlaneException>(() => client.ValidateKeyAsync());
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"took {started.Elapsed}");
        Assert.True(ex.IsRetryable);
        Assert.Contains("did not answer within 300 ms", ex.Message);
    }

    [Fact]
    public async Task A_dropped_connection_is_a_retryable_failure()
    {
        _server.Fail(ControlPlaneRoute.EscalationCreate, new ControlPlaneFault(Drop: true));
        using var client = Client();
        var ex = await Assert.ThrowsAsync<ControlPlaneException>(() => client.CreateEscalationAsync("demo", w => w.WriteString("content", "x")));
        Assert.Equal(ControlPlaneException.UnavailableCode, ex.Code);
        Assert.True(ex.IsRetryable);
    }

    [Fact]
    public async Task Bad_json_and_oversized_answers_are_refused()
    {
        using var client = Client();
        _server.Fail(ControlPlaneRoute.ValidateKey, new ControlPlaneFault(BadJson: true), times: 1);
        var bad = await Assert.ThrowsAsync<ControlPlaneException>(() => client.ValidateKeyAsync());
        Assert.Contains("not JSON", bad.Message);
        Assert.Equal(ControlPlaneException.BadResponseCode, bad.Code);

        _server.Fail(ControlPlaneRoute.ValidateKey, new ControlPlaneFault(Oversized: true), times: 1);
        var big = await Assert.ThrowsAsync<ControlPlaneException>(() => client.ValidateKeyAsync());
        Assert.Contains($"more than {ControlPlaneClient.MaxResponseBytes} bytes", big.Message);
    }

    [Fact]
    public async Task Policy_fetch_uses_the_etag_and_gets_not_modified()
    {
        _server.SetPolicy("tenant: demo\n");
        using var client = Client();
        var first = await client.GetPolicyAsync("demo", "middleware", null, null);
        Assert.False(first.IsNotModified);
        Assert.Equal("tenant: demo\n", first.Yaml);
        Assert.NotNull(first.ETag);

        var second = await client.GetPolicyAsync("demo", "middleware", null, first.ETag);
        Assert.True(second.IsNotModified);
        Assert.Equal(first.ETag, _server.Requests.Last().Headers["if-none-match"]);
        Assert.Equal("Bearer " + _server.ApiKey, _server.Requests.Last().Headers["authorization"]);
        Assert.Equal("/api/policy/demo?level=middleware", _server.Requests.Last().PathAndQuery);
    }

    [Fact]
    public async Task Escalations_are_created_and_read_back()
    {
        using var client = Client();
        var created = await client.CreateEscalationAsync("demo", w => w.WriteString("violation", "egress_violation"));
        Assert.Equal("pending", created.Status);
        Assert.Equal("/api/escalations?tenant=demo", _server.Requests.Last().PathAndQuery);
        _server.SetEscalationStatus(created.Id, "approved");
        var read = await client.GetEscalationAsync(created.Id, "demo");
        Assert.True(read.IsFinal);
        Assert.Equal("approved", read.Status);
    }

    [Fact]
    public async Task Uploads_go_to_the_presigned_url_without_the_api_key()
    {
        using var client = Client();
        var hierarchy = await client.ValidateKeyAsync();
        var upload = await client.RequestUploadUrlAsync("tenants/demo/a.ndjson", hierarchy);
        var bytes = Encoding.UTF8.GetBytes("{\"a\":1}\n");
        await client.UploadAsync(upload, new MemoryStream(bytes), bytes.Length);
        Assert.Equal(bytes, _server.Objects["tenants/demo/a.ndjson"]);
        var put = _server.Requests.Last();
        Assert.False(put.Headers.ContainsKey("authorization"));

        // The presigned URL is single-use: a replay is refused.
        var replay = await Assert.ThrowsAsync<ControlPlaneException>(() => client.UploadAsync(upload, new MemoryStream(bytes), bytes.Length));
        Assert.Equal(403, replay.StatusCode);
    }

    [Fact]
    public void A_base_url_that_is_not_http_is_refused()
    {
        var ex = Assert.Throws<ControlPlaneException>(() => new ControlPlaneClient(new ControlPlaneClientOptions { BaseUrl = new Uri("file:///etc/passwd"), ApiKey = "k" }));
        Assert.Contains("not an absolute http or https URL", ex.Message);
    }

    [Theory]
    [InlineData("http://cp.example.com/")]
    [InlineData("http://10.0.0.5:8080/")]
    public void Plain_http_to_another_host_is_refused_because_the_key_would_travel_unencrypted(string url)
    {
        var ex = Assert.Throws<ControlPlaneException>(() => new ControlPlaneClient(new ControlPlaneClientOptions { BaseUrl = new Uri(url), ApiKey = "k" }));
        Assert.Contains("uses plain http", ex.Message);
        Assert.Contains("SEC0_CONTROL_PLANE_ALLOW_HTTP=1", ex.Message);
    }

    [Fact]
    public async Task A_304_to_a_request_that_named_no_etag_is_refused_not_read_as_a_policy()
    {
        _server.Fail(ControlPlaneRoute.Policy, new ControlPlaneFault(Status: 304));
        using var client = Client();
        var ex = await Assert.ThrowsAsync<ControlPlaneException>(() => client.GetPolicyAsync("demo", "middleware", null, null));
        Assert.Equal(304, ex.StatusCode);
    }

    [Fact]
    public void A_presign_answer_sets_only_storage_headers()
    {
        using var doc = System.Text.Json.JsonDocument.Parse("""
            {"url":"https://bucket.example/o?X-Amz-Signature=abc","headers":{"x-amz-server-side-encryption":"AES256","Content-Type":"application/x-ndjson","Authorization":"Bearer stolen","Host":"internal","Cookie":"a=b","x-forwarded-for":"1.2.3.4"}}
            """);
        var upload = PresignedUpload.Parse(doc.RootElement)!;
        Assert.Equal(["x-amz-server-side-encryption", "Content-Type"], upload.Headers.Select(h => h.Key));
    }

    [Fact]
    public void Messages_show_urls_without_user_info_or_query()
    {
        Assert.Equal("https://cp.example.com/api/x", ControlPlaneErrors.Redact(new Uri("https://user:secret@cp.example.com/api/x?sig=abc")));
    }
}

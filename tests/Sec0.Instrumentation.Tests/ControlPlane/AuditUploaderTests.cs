using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Sec0.Audit;
using Sec0.Config;
using Sec0.ControlPlane;
using Sec0.Instrumentation.Tests.Audit;
using Sec0.Instrumentation.Tests.Signing;
using Sec0.Instrumentation.Tests.Support;
using Sec0.Signing;

namespace Sec0.Instrumentation.Tests.ControlPlane;

/// <summary>
/// <see cref="AuditUploader"/> against the reference control plane on 127.0.0.1, over logs a real appender wrote
/// (<see cref="AuditLogBuilder"/>: one file per day from 2026-03-01).
/// </summary>
public sealed class AuditUploaderTests : IAsyncLifetime
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new("upload");
    private readonly AuditSigner _signer = TestKeys.NewSigner();
    private readonly CollectingLogger _log = new();
    private readonly List<IAsyncDisposable> _uploaders = [];
    private readonly List<ControlPlaneClient> _clients = [];
    private ReferenceControlPlane _server = null!;

    private string AuditDir => _dir.Combine("logs");

    private string StateDir => _dir.Combine("state");

    public async Task InitializeAsync() => _server = await ReferenceControlPlane.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var uploader in _uploaders)
        {
            await uploader.DisposeAsync();
        }

        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await _server.DisposeAsync();
        _signer.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Closed_files_are_uploaded_byte_for_byte_and_the_newest_is_not()
    {
        await AuditLogBuilder.WriteDaysAsync(AuditDir, _signer, days: 3, perDay: 3);
        var clock = new ManualTimeProvider(AuditLogBuilder.Day1.AddDays(2));
        var uploader = Uploader(clock);

        var result = await uploader.UploadPendingAsync(Bounded());

        Assert.True(result.IsComplete);
        Assert.Equal(["audit-2026-03-01.ndjson", "audit-2026-03-02.ndjson"], result.Uploaded.Select(u => u.FileName));
        foreach (var file in result.Uploaded)
        {
            var bytes = File.ReadAllBytes(Path.Combine(AuditDir, file.FileName));
            var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            var day = file.FileName["audit-".Length..^".ndjson".Length];
            var key = $"tenants/demo/dev/clients/demo-agents/1.0.0/ingest/{day}/audit-{day}-{sha[..16]}.ndjson";
            Assert.Equal(key, file.ObjectKey);
            Assert.Equal(bytes, _server.Objects[key]);
            Assert.Equal(sha, file.Sha256);
            Assert.True(uploader.CanDelete(file.FileName));
        }

        Assert.Equal(2, _server.Objects.Count);
        Assert.False(uploader.CanDelete("audit-2026-03-03.ndjson"));

        // Days later, but the appender has not opened a newer file: the newest may still be written to.
        clock.Set(AuditLogBuilder.Day1.AddDays(5));
        var later = await uploader.UploadPendingAsync(Bounded());
        Assert.Empty(later.Uploaded);
        Assert.Equal(2, later.AlreadyUploaded);
        Assert.DoesNotContain(_server.Objects.Keys, k => k.Contains("2026-03-03", StringComparison.Ordinal));
    }

    [Fact]
    public async Task State_survives_a_new_uploader_and_nothing_is_uploaded_twice()
    {
        await AuditLogBuilder.WriteDaysAsync(AuditDir, _signer, days: 3, perDay: 2);
        var clock = new ManualTimeProvider(AuditLogBuilder.Day1.AddDays(2));
        await using (var first = Uploader(clock, owned: false))
        {
            Assert.Equal(2, (await first.UploadPendingAsync(Bounded())).Uploaded.Count);
        }

        var state = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(StateDir, "uploads.json"))).RootElement.GetProperty("files");
        var entry = state.GetProperty("audit-2026-03-01.ndjson");
        var bytes = File.ReadAllBytes(Path.Combine(AuditDir, "audit-2026-03-01.ndjson"));
        Assert.Equal(bytes.Length, entry.GetProperty("length").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), entry.GetProperty("sha256").GetString());
        Assert.StartsWith("tenants/demo/dev/clients/demo-agents/1.0.0/ingest/2026-03-01/audit-2026-03-01-", entry.GetProperty("key").GetString());
        Assert.True(entry.TryGetProperty("uploadedAt", out _));

        var requests = _server.Requests.Count;
        var second = Uploader(clock);
        Assert.True(second.CanDelete("audit-2026-03-01.ndjson"));

        // A file touched without a change is read again but not uploaded again.
        File.SetLastWriteTimeUtc(Path.Combine(AuditDir, "audit-2026-03-02.ndjson"), DateTime.UtcNow.AddMinutes(5));
        var result = await second.UploadPendingAsync(Bounded());
        Assert.Empty(result.Uploaded);
        Assert.Equal(2, result.AlreadyUploaded);
        Assert.Equal(requests, _server.Requests.Count);
    }

    [Fact]
    public async Task Retryable_failures_are_retried_with_a_fresh_presigned_url_each_time()
    {
        await AuditLogBuilder.WriteDaysAsync(AuditDir, _signer, days: 2, perDay: 2);
        var uploader = Uploader(new ManualTimeProvider(AuditLogBuilder.Day1.AddDays(1)));
        _server.Fail(ControlPlaneRoute.UploadUrl, new ControlPlaneFault(Status: 500), times: 1);
        _server.Fail(ControlPlaneRoute.Upload, new ControlPlaneFault(Status: 503), times: 1);

        var result = await uploader.UploadPendingAsync(Bounded());

        var uploaded = Assert.Single(result.Uploaded);
        Assert.Equal(File.ReadAllBytes(Path.Combine(AuditDir, "audit-2026-03-01.ndjson")), _server.Objects[uploaded.ObjectKey]);

        // Attempt 1: the URL request answers 500. Attempt 2: a URL, the PUT answers 503. Attempt 3: both succeed.
        Assert.Equal(3, _server.Count(ControlPlaneRoute.UploadUrl));
        Assert.Equal(2, _server.Count(ControlPlaneRoute.Upload));
        Assert.Contains(Logged(), m => m.Contains("audit-2026-03-01.ndjson failed (attempt 1 of 3); trying again", StringComparison.Ordinal) && m.Contains("answered 500", StringComparison.Ordinal));
        Assert.Contains(Logged(), m => m.Contains("(attempt 2 of 3)", StringComparison.Ordinal) && m.Contains("answered 503", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_file_whose_attempts_all_fail_is_kept_by_retention_until_a_later_pass_uploads_it()
    {
        await AuditLogBuilder.WriteDaysAsync(AuditDir, _signer, days: 3, perDay: 2);
        var clock = new ManualTimeProvider(AuditLogBuilder.Day1.AddDays(2));
        var uploader = Uploader(clock);
        _server.Fail(ControlPlaneRoute.UploadUrl, new ControlPlaneFault(Status: 503));

        var failedPass = await uploader.UploadPendingAsync(Bounded());
        Assert.Empty(failedPass.Uploaded);
        Assert.Equal(["audit-2026-03-01.ndjson", "audit-2026-03-02.ndjson"], failedPass.Failed.Select(f => f.FileName));
        Assert.All(failedPass.Failed, f => Assert.Equal(3, f.Attempts));
        Assert.Equal(6, _server.Count(ControlPlaneRoute.UploadUrl));
        Assert.Contains(Logged(), m => m.Contains("audit-2026-03-02.ndjson failed after 3 attempt(s); it stays on disk", StringComparison.Ordinal));
        Assert.False(uploader.CanDelete("audit-2026-03-01.ndjson"));

        // Forty days on, a 35-day window has expired all three files: none is uploaded, so none is deleted.
        clock.Set(AuditLogBuilder.Day1.AddDays(40));
        var appenderLog = new CollectingLogger();
        await using (OpenAppender(clock, retentionDays: 35, uploader.CanDelete, appenderLog))
        {
        }

        Assert.Equal(["audit-2026-03-01.ndjson", "audit-2026-03-02.ndjson", "audit-2026-03-03.ndjson", "audit-2026-04-10.ndjson"], Files());
        Assert.Contains(appenderLog.Entries, e => e.Level == LogLevel.Warning && e.Message == "[sec0] Audit retention keeps 3 file(s) older than 35 days until they are uploaded.");

        // The control plane is back: the next pass uploads them (03-03 too: a newer file exists now).
        _server.Heal(ControlPlaneRoute.UploadUrl);
        var pass = await uploader.UploadPendingAsync(Bounded());
        Assert.Equal(["audit-2026-03-01.ndjson", "audit-2026-03-02.ndjson", "audit-2026-03-03.ndjson"], pass.Uploaded.Select(u => u.FileName));

        await using (OpenAppender(clock, retentionDays: 35, uploader.CanDelete, appenderLog))
        {
        }

        Assert.Equal(["audit-2026-04-10.ndjson"], Files());
        var report = AuditLogBuilder.Verify(AuditDir, _signer);
        Assert.True(report.IsIntact, string.Join("\n", report.Problems));

        // The state forgets files retention deleted.
        await uploader.UploadPendingAsync(Bounded());
        var state = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(StateDir, "uploads.json"))).RootElement.GetProperty("files");
        Assert.Empty(state.EnumerateObject());
    }

    [Fact]
    public async Task A_failed_key_validation_postpones_the_pass_and_the_next_pass_asks_again()
    {
        await AuditLogBuilder.WriteDaysAsync(AuditDir, _signer, days: 2, perDay: 2);
        var uploader = Uploader(new ManualTimeProvider(AuditLogBuilder.Day1.AddDays(1)));
        _server.Fail(ControlPlaneRoute.ValidateKey, new ControlPlaneFault(Status: 503), times: 1);

        var first = await uploader.UploadPendingAsync(Bounded());
        var failure = Assert.Single(first.Failed);
        Assert.Equal(0, failure.Attempts);
        Assert.True(failure.IsRetryable);
        Assert.Equal(0, _server.Count(ControlPlaneRoute.UploadUrl));
        Assert.Contains(Logged(), m => m.StartsWith("[sec0] Audit upload of 1 file(s) waits for the next pass", StringComparison.Ordinal));

        Assert.Single((await uploader.UploadPendingAsync(Bounded())).Uploaded);
        File.AppendAllText(Path.Combine(AuditDir, "audit-2026-03-01.ndjson"), "{}\n");
        Assert.Single((await uploader.UploadPendingAsync(Bounded())).Uploaded);
        Assert.Equal(2, _server.Count(ControlPlaneRoute.ValidateKey)); // the answer is kept once there is one
    }

    [Fact]
    public async Task A_dropped_connection_is_retried()
    {
        await AuditLogBuilder.WriteDaysAsync(AuditDir, _signer, days: 2, perDay: 2);
        var uploader = Uploader(new ManualTimeProvider(AuditLogBuilder.Day1.AddDays(1)));
        _server.Fail(ControlPlaneRoute.Upload, new ControlPlaneFault(Drop: true), times: 1);

        var result = await uploader.UploadPendingAsync(Bounded());

        Assert.Single(result.Uploaded);
        Assert.Equal(2, _server.Count(ControlPlaneRoute.Upload));
        Assert.Contains(Logged(), m => m.Contains("(attempt 1 of 3); trying again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_slow_storage_times_out_after_the_upload_timeout_and_is_retried()
    {
        await AuditLogBuilder.WriteDaysAsync(AuditDir, _signer, days: 2, perDay: 2);

        // The client would wait 10 s; the uploader's own timeout is 300 ms.
        var uploader = Uploader(new ManualTimeProvider(AuditLogBuilder.Day1.AddDays(1)), Config() with { Timeout = TimeSpan.FromMilliseconds(300) }, Client(timeoutMs: 10_000));
        _server.Fail(ControlPlaneRoute.Upload, new ControlPlaneFault(Delay: TimeSpan.FromSeconds(20)), times: 1);

        var watch = Stopwatch.StartNew();
        var result = await uploader.UploadPendingAsync(Bounded());

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), $"took {watch.Elapsed}");
        Assert.Single(result.Uploaded);
        Assert.Contains(Logged(), m => m.Contains("audit upload failed: no answer within 300 ms", StringComparison.Ordinal));
    }

    [Fact]
    public void A_client_timeout_shorter_than_the_upload_timeout_is_warned_about_once_with_both_values()
    {
        Uploader(new ManualTimeProvider(AuditLogBuilder.Day1.AddDays(1)), Config(), Client(timeoutMs: 1_000));

        // The template names {ClientMs} twice: both places show the client's timeout.
        var warning = Assert.Single(_log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Equal(
            "[sec0] The control-plane client's request timeout (1000 ms) is shorter than the audit upload timeout (5000 ms): uploads time out after 1000 ms. Give the uploader a client created with the upload timeout.",
            warning.Message);
    }

    [Fact]
    public async Task A_refused_api_key_is_not_retried_and_is_logged_with_the_file()
    {
        await AuditLogBuilder.WriteDaysAsync(AuditDir, _signer, days: 2, perDay: 2);
        var hierarchy = new ControlPlaneHierarchy("demo", "dev", "demo-agents", "1.0.0", null);
        var uploader = Track(new AuditUploader(Client("sec0_wrong_key_0000000000"), hierarchy, Config(), AuditDir, StateDir, new ManualTimeProvider(AuditLogBuilder.Day1.AddDays(1)), _log));

        var result = await uploader.UploadPendingAsync(Bounded());

        var failure = Assert.Single(result.Failed);
        Assert.Equal(1, failure.Attempts);
        Assert.False(failure.IsRetryable);
        Assert.Equal(1, _server.Count(ControlPlaneRoute.UploadUrl));
        Assert.Equal(0, _server.Count(ControlPlaneRoute.Upload));
        Assert.Contains(Logged(), m => m.StartsWith("[sec0] Audit upload of audit-2026-03-01.ndjson failed after 1 attempt(s)", StringComparison.Ordinal) && m.Contains("refused the API key", StringComparison.Ordinal));
        Assert.DoesNotContain(Logged(), m => m.Contains("sec0_wrong_key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_changed_file_is_uploaded_again_as_a_new_object()
    {
        await AuditLogBuilder.WriteDaysAsync(AuditDir, _signer, days: 3, perDay: 2);
        var uploader = Uploader(new ManualTimeProvider(AuditLogBuilder.Day1.AddDays(2)));
        var first = (await uploader.UploadPendingAsync(Bounded())).Uploaded[0];
        var path = Path.Combine(AuditDir, first.FileName);

        File.AppendAllText(path, "{\"appended\":true}\n");
        Assert.False(uploader.CanDelete(first.FileName));

        var result = await uploader.UploadPendingAsync(Bounded());

        var again = Assert.Single(result.Uploaded);
        Assert.Equal(first.FileName, again.FileName);
        Assert.NotEqual(first.ObjectKey, again.ObjectKey);
        Assert.Equal(File.ReadAllBytes(path), _server.Objects[again.ObjectKey]);
        Assert.True(_server.Objects.ContainsKey(first.ObjectKey)); // the earlier upload is never overwritten
        Assert.True(uploader.CanDelete(first.FileName));
        Assert.Contains(Logged(), m => m.Contains("changed since it was uploaded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_corrupt_state_file_is_logged_and_the_files_are_uploaded_again()
    {
        await AuditLogBuilder.WriteDaysAsync(AuditDir, _signer, days: 3, perDay: 2);
        var clock = new ManualTimeProvider(AuditLogBuilder.Day1.AddDays(2));
        await using (var first = Uploader(clock, owned: false))
        {
            await first.UploadPendingAsync(Bounded());
        }

        var statePath = Path.Combine(StateDir, "uploads.json");
        File.WriteAllText(statePath, "{\"files\": {\"audit-2026-03-01.ndjson\": {\"length\": 1, ");
        var uploader = Uploader(clock);
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith($"[sec0] The audit upload state {statePath} cannot be read", StringComparison.Ordinal));
        Assert.False(uploader.CanDelete("audit-2026-03-01.ndjson"));

        var result = await uploader.UploadPendingAsync(Bounded());

        Assert.Equal(2, result.Uploaded.Count);
        Assert.Equal(4, _server.Count(ControlPlaneRoute.Upload));
        Assert.Equal(2, _server.Objects.Count); // the same content has the same key
        Assert.Equal(2, JsonDocument.Parse(File.ReadAllBytes(statePath)).RootElement.GetProperty("files").EnumerateObject().Count());

        // Entries that are not valid are dropped one by one.
        File.WriteAllText(statePath, "{\"files\": {\"audit-2026-03-01.ndjson\": {\"length\": -1, \"sha256\": \"x\", \"key\": \"k\", \"uploadedAt\": \"now\"}, \"../../etc/passwd\": {}}}");
        var third = Uploader(clock);
        Assert.False(third.CanDelete("audit-2026-03-01.ndjson"));
        Assert.Contains(_log.Entries, e => e.Message.Contains("2 entry(ies) of the audit upload state", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Hostile_tenant_and_client_names_are_sanitised_in_the_object_key()
    {
        await AuditLogBuilder.WriteDaysAsync(AuditDir, _signer, days: 2, perDay: 2);
        _server.Tenant = "../../etc/passwd";
        _server.Environment = "prod\r\nx-evil: 1";
        _server.ClientName = "a/b c/../d" + new string('z', 200);
        _server.ClientVersion = "..";
        var uploader = Uploader(new ManualTimeProvider(AuditLogBuilder.Day1.AddDays(1)));

        var key = Assert.Single((await uploader.UploadPendingAsync(Bounded())).Uploaded).ObjectKey;

        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(AuditDir, "audit-2026-03-01.ndjson"))));
        Assert.Equal($"tenants/.._.._etc_passwd/prod_x-evil_1/clients/a_b_c_.._d{new string('z', 110)}/_/ingest/2026-03-01/audit-2026-03-01-{sha[..16]}.ndjson", key);
        Assert.All(key.Split('/'), s => Assert.Matches(new Regex("^[A-Za-z0-9._-]{1,120}$"), s));
        Assert.DoesNotContain(key.Split('/'), s => s is "." or "..");
        Assert.True(_server.Objects.ContainsKey(key));
    }

    [Theory]
    [InlineData("demo", "demo")]
    [InlineData("", "_")]
    [InlineData("...", "_")]
    [InlineData("__a__", "a")]
    [InlineData("a  b", "a_b")]
    [InlineData("a_ _b", "a_b")]
    [InlineData("é", "_")]
    [InlineData("v1.2.3-beta_4", "v1.2.3-beta_4")]
    public void Segments_are_sanitised_as_the_typescript_sdk_does_and_never_empty_or_dots(string value, string expected) =>
        Assert.Equal(expected, AuditObjectKey.Segment(value));

    [Fact]
    public async Task The_api_key_never_goes_to_the_presigned_url()
    {
        await AuditLogBuilder.WriteDaysAsync(AuditDir, _signer, days: 3, perDay: 2);
        var uploader = Uploader(new ManualTimeProvider(AuditLogBuilder.Day1.AddDays(2)));
        _server.Fail(ControlPlaneRoute.Upload, new ControlPlaneFault(Status: 500), times: 1); // retries too

        Assert.Equal(2, (await uploader.UploadPendingAsync(Bounded())).Uploaded.Count);

        var puts = _server.Requests.Where(r => r.Route == ControlPlaneRoute.Upload).ToList();
        Assert.Equal(3, puts.Count);
        foreach (var put in puts)
        {
            Assert.False(put.Headers.ContainsKey("authorization"));
            Assert.DoesNotContain(put.Headers.Values, v => v.Contains(_server.ApiKey, StringComparison.Ordinal));
            Assert.DoesNotContain(_server.ApiKey, put.PathAndQuery, StringComparison.Ordinal);
        }

        Assert.All(_server.Requests.Where(r => r.Route == ControlPlaneRoute.UploadUrl), r => Assert.Equal("Bearer " + _server.ApiKey, r.Headers["authorization"]));
    }

    [Fact]
    public async Task Start_uploads_at_once_and_then_every_interval()
    {
        await AuditLogBuilder.WriteDaysAsync(AuditDir, _signer, days: 2, perDay: 2);
        var clock = new ManualTimeProvider(AuditLogBuilder.Day1.AddDays(1));
        var uploader = Uploader(clock);

        uploader.Start();
        uploader.Start(); // once is enough
        await WaitUntil(() => _server.Objects.Count == 1);

        // The next day's first line closes 03-02; a later pass picks it up.
        clock.Set(AuditLogBuilder.Day1.AddDays(2));
        await using (var appender = OpenAppender(clock, retentionDays: 0, uploader.CanDelete, null))
        {
            await appender.AppendAsync(AuditLogBuilder.Envelope(99, clock.GetUtcNow()));
        }

        await WaitUntil(() => _server.Objects.Count == 2);
        Assert.True(uploader.CanDelete("audit-2026-03-02.ndjson"));
    }

    [Fact]
    public async Task Dispose_cancels_an_upload_in_flight_promptly()
    {
        await AuditLogBuilder.WriteDaysAsync(AuditDir, _signer, days: 2, perDay: 2);
        var uploader = Uploader(new ManualTimeProvider(AuditLogBuilder.Day1.AddDays(1)), Config() with { Timeout = TimeSpan.FromSeconds(25) }, Client(timeoutMs: 25_000), owned: false);
        _server.Fail(ControlPlaneRoute.Upload, new ControlPlaneFault(Delay: TimeSpan.FromSeconds(25)));
        uploader.Start();
        await WaitUntil(() => _server.Count(ControlPlaneRoute.Upload) == 1);

        var watch = Stopwatch.StartNew();
        await uploader.DisposeAsync();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.False(uploader.CanDelete("audit-2026-03-01.ndjson"));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => uploader.UploadPendingAsync());
    }

    [Fact]
    public async Task Concurrent_passes_are_serialised_and_upload_each_file_once()
    {
        await AuditLogBuilder.WriteDaysAsync(AuditDir, _signer, days: 4, perDay: 2);
        var uploader = Uploader(new ManualTimeProvider(AuditLogBuilder.Day1.AddDays(3)));

        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => uploader.UploadPendingAsync(Bounded()))));

        Assert.Equal(3, results.Sum(r => r.Uploaded.Count));
        Assert.Equal(3, _server.Count(ControlPlaneRoute.Upload));
        Assert.Equal(3, _server.Objects.Count);
    }

    [Fact]
    public async Task Files_that_are_links_or_not_sec0s_are_never_uploaded()
    {
        await AuditLogBuilder.WriteDaysAsync(AuditDir, _signer, days: 2, perDay: 2);
        var secret = _dir.Combine("secret.txt");
        File.WriteAllText(secret, "{\"record\":\"file_start\",\"seq\":1,\"prev\":\"x\"}\nroot:secret\n");
        File.CreateSymbolicLink(Path.Combine(AuditDir, "audit-2026-02-27.ndjson"), secret);
        File.WriteAllText(Path.Combine(AuditDir, "audit-2026-02-28.ndjson"), "{\"from\":\"another tool\"}\n");
        var uploader = Uploader(new ManualTimeProvider(AuditLogBuilder.Day1.AddDays(1)));

        var result = await uploader.UploadPendingAsync(Bounded());

        Assert.Equal(["audit-2026-03-01.ndjson"], result.Uploaded.Select(u => u.FileName));
        Assert.Empty(result.Failed);
        Assert.DoesNotContain(_server.Objects.Values, v => v.AsSpan().IndexOf("root:secret"u8) >= 0);
        Assert.False(uploader.CanDelete("audit-2026-02-27.ndjson"));
        Assert.Contains(Logged(), m => m == "[sec0] Audit upload skips audit-2026-02-27.ndjson: it is a link or was not written by Sec0 for .NET.");
    }

    private static CancellationToken Bounded() => new CancellationTokenSource(s_bound).Token;

    private static AuditUploadConfig Config() => new()
    {
        Enabled = true,
        Interval = TimeSpan.FromMilliseconds(100),
        MaxAttempts = 3,
        RetryDelay = TimeSpan.FromMilliseconds(20),
        Timeout = TimeSpan.FromSeconds(5),
    };

    private static async Task WaitUntil(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < s_bound, "timed out waiting");
            await Task.Delay(20);
        }
    }

    private ControlPlaneClient Client(string? key = null, int timeoutMs = 5000)
    {
        var client = new ControlPlaneClient(new ControlPlaneClientOptions
        {
            BaseUrl = _server.BaseUrl,
            ApiKey = key ?? _server.ApiKey,
            RequestTimeout = TimeSpan.FromMilliseconds(timeoutMs),
        });
        _clients.Add(client);
        return client;
    }

    /// <summary>An uploader that asks the control plane for its hierarchy, as the app does.</summary>
    private AuditUploader Uploader(TimeProvider clock, AuditUploadConfig? config = null, ControlPlaneClient? client = null, bool owned = true)
    {
        client ??= Client();
        var uploader = new AuditUploader(client, ct => client.ValidateKeyAsync(ct), config ?? Config(), AuditDir, StateDir, clock, _log);
        return owned ? Track(uploader) : uploader;
    }

    private AuditUploader Track(AuditUploader uploader)
    {
        _uploaders.Add(uploader);
        return uploader;
    }

    private AuditAppender OpenAppender(TimeProvider clock, int retentionDays, Func<string, bool>? canDelete, ILogger? logger) => AuditAppender.Open(new AuditAppenderOptions
    {
        Directory = AuditDir,
        Signer = _signer,
        TimeProvider = clock,
        RetentionDays = retentionDays,
        CanDeleteFile = canDelete,
        Logger = logger,
    });

    private string[] Files() => AuditLogBuilder.Files(AuditDir).Select(f => Path.GetFileName(f)!).ToArray();

    private List<string> Logged()
    {
        lock (_log.Entries)
        {
            return _log.Entries.Select(e => e.Message).ToList();
        }
    }
}

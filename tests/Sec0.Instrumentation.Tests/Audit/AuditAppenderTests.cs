using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sec0.Audit;
using Sec0.Instrumentation.Tests.Support;
using Sec0.Signing;

namespace Sec0.Instrumentation.Tests.Audit;

public class AuditAppenderTests
{
    [Fact]
    public async Task Appended_envelopes_are_signed_chained_lines_that_verify()
    {
        using var dir = new TempDirectory();
        using var signer = TestKeys.NewSigner();
        await AuditLogBuilder.WriteDaysAsync(dir.Path, signer, days: 1, perDay: 25);

        var file = Assert.Single(AuditLogBuilder.Files(dir.Path));
        Assert.Equal("audit-2026-03-01.ndjson", Path.GetFileName(file));
        var lines = File.ReadAllLines(file);
        Assert.Equal(26, lines.Length);
        using (var start = JsonDocument.Parse(lines[0]))
        {
            Assert.Equal(AuditRecordKinds.FileStart, start.RootElement.GetProperty("record").GetString());
            Assert.Equal("audit-2026-03-01.ndjson", start.RootElement.GetProperty("file").GetString());
            Assert.Equal(1, start.RootElement.GetProperty("seq").GetInt64());
            Assert.Equal(AuditChain.GenesisHash, start.RootElement.GetProperty("prev").GetString());
        }

        using (var first = JsonDocument.Parse(lines[1]))
        {
            var root = first.RootElement;
            Assert.Equal(2, root.GetProperty("seq").GetInt64());
            Assert.False(root.TryGetProperty("record", out _));
            Assert.Equal(signer.KeyId, root.GetProperty("key_id").GetString());
            Assert.StartsWith("ed25519:", root.GetProperty("sig").GetString());
            Assert.Equal(1, root.GetProperty("v").GetInt32());
            Assert.Equal("2026-03-01T10:00:00.000Z", root.GetProperty("ts").GetString());
            Assert.Equal("allow", root.GetProperty("policy").GetProperty("decision").GetString());
        }

        var report = AuditLogBuilder.Verify(dir.Path, signer);
        Assert.True(report.IsIntact, string.Join("\n", report.Problems));
        Assert.Equal("25/25 envelopes valid, chain intact, 1 file", report.Summary);
    }

    [Fact]
    public async Task Ecdsa_p256_signed_logs_verify_with_the_public_key_alone()
    {
        using var dir = new TempDirectory();
        using var signer = TestKeys.NewEcdsaSigner();
        await AuditLogBuilder.WriteDaysAsync(dir.Path, signer, days: 2, perDay: 5);
        Assert.Contains("\"sig\":\"ecdsa-p256:", File.ReadAllText(AuditLogBuilder.Files(dir.Path)[0]));

        using var verifier = PublicKeyReader.Read(signer.PublicKeyPem);
        var report = new AuditLogVerifier(verifier).Verify(dir.Path);
        Assert.Equal("10/10 envelopes valid, chain intact, 2 files", report.Summary);
    }

    [Fact]
    public async Task Every_line_is_its_own_canonical_form()
    {
        using var dir = new TempDirectory();
        using var signer = TestKeys.NewSigner();
        var clock = new ManualTimeProvider(AuditLogBuilder.Day1);
        await using (var appender = AuditAppender.Open(new AuditAppenderOptions { Directory = dir.Path, Signer = signer, TimeProvider = clock }))
        {
            await appender.AppendAsync(new AuditEnvelope
            {
                Timestamp = AuditLogBuilder.Day1,
                AgentRef = "run-1/Ω",
                CauseSpanId = "00f067aa0ba902b7",
                CauseTraceId = "4bf92f3577b34da6a3ce929d0e0e4736",
                ClientName = "demo \"agents\"\n\t\\",
                ClientVersion = "1.0.0",
                DastFindings = new JsonArray(new JsonObject { ["severity"] = "high", ["code"] = "X-1" }),
                DastScanId = "d1",
                DastStatus = "fail",
                DecisionReason = "deny_on_match",
                DenialLevel = "decorator",
                DenialReason = "tool_not_in_allowlist",
                DenialType = "policy",
                Environment = "prod",
                EscalationError = "timeout",
                EscalationId = "esc-1",
                EscalationStatus = "pending",
                HopHash = "sha256:v1:" + new string('a', 64),
                IdempotencyKey = "k-1",
                InputSha256 = new string('b', 64),
                LatencyMs = 0.000125,
                NodeId = "order-agent",
                NodeType = "agent",
                Op = "Run",
                OutputSha256 = new string('c', 64),
                Policy = new AuditPolicyRecord("deny", "standard", "tool_not_in_allowlist"),
                RegistryFrozen = true,
                Retries = 2,
                RiskScore = 0.75,
                RiskTags = ["pii", "😀"],
                SastFindings = new JsonArray(),
                SastScanId = "s1",
                SastStatus = "pass",
                Server = "orders",
                ServerSnapshot = new JsonObject { ["tools"] = 3, ["name"] = "orders" },
                SpanId = "00f067aa0ba902b8",
                Status = "error",
                Tenant = "acme",
                Tool = "OrderAgent.Run",
                ToolRef = "mcp://orders/run@1.0.0",
                TraceId = "4bf92f3577b34da6a3ce929d0e0e4737",
            });
        }

        var lines = File.ReadAllLines(Assert.Single(AuditLogBuilder.Files(dir.Path)));
        var body = Encoding.UTF8.GetBytes(lines[1]);
        Assert.Equal(Encoding.UTF8.GetString(JsonCanonicalizer.Canonicalize(body)), Encoding.UTF8.GetString(body));
        Assert.True(AuditLogBuilder.Verify(dir.Path, signer).IsIntact);
    }

    [Fact]
    public async Task Days_rotate_into_files_and_the_chain_continues_across_them()
    {
        using var dir = new TempDirectory();
        using var signer = TestKeys.NewSigner();
        await AuditLogBuilder.WriteDaysAsync(dir.Path, signer, days: 3, perDay: 10);

        var files = AuditLogBuilder.Files(dir.Path);
        Assert.Equal(["audit-2026-03-01.ndjson", "audit-2026-03-02.ndjson", "audit-2026-03-03.ndjson"], files.Select(f => Path.GetFileName(f)!).ToArray());
        var lastOfFirst = File.ReadAllLines(files[0])[^1];
        using var firstOfSecond = JsonDocument.Parse(File.ReadAllLines(files[1])[0]);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(lastOfFirst))), firstOfSecond.RootElement.GetProperty("prev").GetString());
        Assert.Equal(12, firstOfSecond.RootElement.GetProperty("seq").GetInt64());
        Assert.Equal("30/30 envelopes valid, chain intact, 3 files", AuditLogBuilder.Verify(dir.Path, signer).Summary);
    }

    [Fact]
    public async Task Reopening_continues_the_same_chain()
    {
        using var dir = new TempDirectory();
        using var signer = TestKeys.NewSigner();
        await AuditLogBuilder.WriteDaysAsync(dir.Path, signer, days: 1, perDay: 5);
        await AuditLogBuilder.WriteDaysAsync(dir.Path, signer, days: 2, perDay: 5);

        var report = AuditLogBuilder.Verify(dir.Path, signer);
        Assert.True(report.IsIntact, string.Join("\n", report.Problems));
        Assert.Equal(15, report.ValidEnvelopes);
    }

    [Fact]
    public async Task Checkpoint_mode_chains_every_line_and_signs_checkpoints()
    {
        using var dir = new TempDirectory();
        using var signer = TestKeys.NewSigner();
        await AuditLogBuilder.WriteDaysAsync(dir.Path, signer, days: 2, perDay: 25, AuditSigningMode.Checkpoint, checkpointEvery: 10);

        var all = AuditLogBuilder.Files(dir.Path).SelectMany(File.ReadAllLines).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        var checkpoints = all.Where(o => (string?)o["record"] == AuditRecordKinds.Checkpoint).ToList();
        Assert.All(all.Where(o => o["record"] is null), o => Assert.Null(o["sig"]));
        Assert.All(checkpoints, o => Assert.NotNull(o["sig"]));

        // 10, 20, rotation after 25, then 35, 45 and the close after 50.
        Assert.Equal(6, checkpoints.Count);
        Assert.Equal(AuditRecordKinds.Checkpoint, (string?)all[^1]["record"]);
        var report = AuditLogBuilder.Verify(dir.Path, signer);
        Assert.True(report.IsIntact, string.Join("\n", report.Problems));
        Assert.Equal("50/50 envelopes valid, chain intact, 2 files", report.Summary);
        Assert.Equal(8, report.Records); // 6 checkpoints and 2 file_start records
    }

    [Fact]
    public async Task Checkpoint_interval_seals_lines_without_more_traffic()
    {
        using var dir = new TempDirectory();
        using var signer = TestKeys.NewSigner();
        await using var appender = AuditAppender.Open(new AuditAppenderOptions
        {
            Directory = dir.Path,
            Signer = signer,
            SigningMode = AuditSigningMode.Checkpoint,
            CheckpointInterval = TimeSpan.FromMilliseconds(50),
        });
        await appender.AppendAsync(new AuditEnvelope { Tool = "a" });

        var file = Assert.Single(AuditLogBuilder.Files(dir.Path));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!File.ReadAllText(file).Contains("\"record\":\"checkpoint\"", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "no checkpoint within 10 s of a 50 ms interval");
            await Task.Delay(20);
        }

        Assert.True(AuditLogBuilder.Verify(dir.Path, signer).IsIntact);
    }

    [Fact]
    public async Task A_second_writer_on_the_directory_gets_a_clear_error()
    {
        using var dir = new TempDirectory();
        using var signer = TestKeys.NewSigner();
        await using var first = AuditAppender.Open(new AuditAppenderOptions { Directory = dir.Path, Signer = signer });

        var ex = Assert.Throws<Sec0AuditException>(() => AuditAppender.Open(new AuditAppenderOptions { Directory = dir.Path, Signer = signer }));
        Assert.Equal(Sec0AuditException.DirectoryInUseCode, ex.Code);
        Assert.Contains("is already in use by another writer", ex.Message);
        Assert.Contains($"(pid {Environment.ProcessId})", ex.Message);
    }

    [Fact]
    public async Task Many_concurrent_appends_through_a_tiny_queue_all_arrive_in_one_chain()
    {
        using var dir = new TempDirectory();
        using var signer = TestKeys.NewSigner();
        await using (var appender = AuditAppender.Open(new AuditAppenderOptions { Directory = dir.Path, Signer = signer, ChannelCapacity = 4, Flush = AuditFlushMode.None }))
        {
            var tasks = Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
            {
                for (var i = 0; i < 250; i++)
                {
                    if (i % 2 == 0)
                    {
                        appender.Enqueue(new AuditEnvelope { Tool = $"t{t}", Retries = i });
                    }
                    else
                    {
                        await appender.AppendAsync(new AuditEnvelope { Tool = $"t{t}", Retries = i });
                    }
                }
            })).ToArray();
            await Task.WhenAll(tasks);
        }

        var report = AuditLogBuilder.Verify(dir.Path, signer);
        Assert.True(report.IsIntact, string.Join("\n", report.Problems));
        Assert.Equal(2000, report.Envelopes);
    }

    [Fact]
    public async Task Flush_waits_for_everything_enqueued_before_it()
    {
        using var dir = new TempDirectory();
        using var signer = TestKeys.NewSigner();
        await using var appender = AuditAppender.Open(new AuditAppenderOptions { Directory = dir.Path, Signer = signer, Flush = AuditFlushMode.None });
        for (var i = 0; i < 100; i++)
        {
            appender.Enqueue(new AuditEnvelope { Tool = "x" });
        }

        await appender.FlushAsync();
        Assert.Equal(101, File.ReadAllLines(Assert.Single(AuditLogBuilder.Files(dir.Path))).Length);
    }


    [Fact]
    public async Task Queued_envelopes_reach_the_file_without_anyone_waiting_for_them()
    {
        // Nobody flushes: the writer must come for them by itself, whether it was busy, napping between
        // batches, or parked after a long idle spell (no lost wake-up in any of these states).
        using var dir = new TempDirectory();
        using var signer = TestKeys.NewSigner();
        await using var appender = AuditAppender.Open(new AuditAppenderOptions { Directory = dir.Path, Signer = signer, Flush = AuditFlushMode.None });
        var file = Assert.Single(AuditLogBuilder.Files(dir.Path));
        var expected = 1; // file_start
        foreach (var pauseMs in new[] { 0, 0, 1, 2, 5, 30, 200, 0, 0 })
        {
            await Task.Delay(pauseMs);
            appender.Enqueue(new AuditEnvelope { Tool = "t" + pauseMs });
            expected++;
            await WaitForLinesAsync(file, expected);
        }

        // A burst while the writer naps is written as well.
        for (var i = 0; i < 500; i++)
        {
            appender.Enqueue(new AuditEnvelope { Tool = "burst" });
        }

        await WaitForLinesAsync(file, expected + 500);
    }

    [Fact]
    public async Task A_checkpoint_interval_of_months_does_not_stop_the_writer()
    {
        // The writer waits until the next checkpoint is due; a wait that long must still work.
        using var dir = new TempDirectory();
        using var signer = TestKeys.NewSigner();
        await using var appender = AuditAppender.Open(new AuditAppenderOptions
        {
            Directory = dir.Path,
            Signer = signer,
            SigningMode = AuditSigningMode.Checkpoint,
            CheckpointEvery = 1000,
            CheckpointInterval = TimeSpan.FromDays(60),
            Flush = AuditFlushMode.None,
        });

        await appender.AppendAsync(new AuditEnvelope { Tool = "a" }).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(100); // the writer is now parked until the checkpoint is due
        appender.Enqueue(new AuditEnvelope { Tool = "b" });
        await appender.FlushAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(3, ReadLinesShared(Assert.Single(AuditLogBuilder.Files(dir.Path))).Length);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(10_000)]
    public void Hashes_handed_over_as_bytes_read_as_the_sha256_of_those_bytes(int size)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        var e = new AuditEnvelope();

        e.SetInputToHash(bytes);
        e.SetOutputToHash(bytes[..(size / 2)]);

        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), e.InputSha256);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes[..(size / 2)])), e.OutputSha256);
        e.InputSha256 = "replaced";
        Assert.Equal("replaced", e.InputSha256);
    }

    private static async Task WaitForLinesAsync(string file, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (ReadLinesShared(file).Length < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {ReadLinesShared(file).Length} of {count} lines reached {file} within 10 s without a flush");
            await Task.Delay(1);
        }
    }

    private static string[] ReadLinesShared(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
    [Fact]
    public async Task A_write_error_reaches_the_caller_and_later_appends()
    {
        using var dir = new TempDirectory();
        using var signer = TestKeys.NewSigner();
        var clock = new ManualTimeProvider(AuditLogBuilder.Day1);

        var appender = AuditAppender.Open(new AuditAppenderOptions { Directory = dir.Path, Signer = signer, TimeProvider = clock, RetentionDays = 0 });

        // Tomorrow's file cannot be created: a directory has its name. (A link to /dev/full, which fails every
        // write with ENOSPC, is no longer followed: the writer never writes through a link.)
        Directory.CreateDirectory(Path.Combine(dir.Path, "audit-2026-03-02.ndjson"));
        await appender.AppendAsync(AuditLogBuilder.Envelope(1, AuditLogBuilder.Day1));

        var ex = await Assert.ThrowsAsync<Sec0AuditException>(async () => await appender.AppendAsync(AuditLogBuilder.Envelope(2, AuditLogBuilder.Day1.AddDays(1))));
        Assert.Equal(Sec0AuditException.WriteFailedCode, ex.Code);
        Assert.Contains("intact up to seq 2", ex.Message);
        Assert.IsAssignableFrom<IOException>(ex.InnerException);

        // Fire-and-forget appends can't lose envelopes silently either: the next call raises the failure.
        Assert.Throws<Sec0AuditException>(() => appender.Enqueue(AuditLogBuilder.Envelope(3, AuditLogBuilder.Day1.AddDays(1))));
        await Assert.ThrowsAsync<Sec0AuditException>(async () => await appender.DisposeAsync());
    }

    [Fact]
    public async Task A_failure_after_the_writer_took_the_callers_line_fails_that_caller_once_with_the_audit_error()
    {
        using var dir = new TempDirectory();
        var signer = TestKeys.NewSigner();
        var appender = AuditAppender.Open(new AuditAppenderOptions
        {
            Directory = dir.Path,
            Signer = signer,
            SigningMode = AuditSigningMode.Checkpoint,
            CheckpointEvery = 2,
            RetentionDays = 0,
        });
        await appender.AppendAsync(AuditLogBuilder.Envelope(1, AuditLogBuilder.Day1));

        // The second line is taken into the batch, then its checkpoint cannot be signed: the writer fails the caller
        // it holds. Failing that caller a second time used to kill the writer thread with an InvalidOperationException.
        signer.Dispose();
        var ex = await Assert.ThrowsAsync<Sec0AuditException>(async () => await appender.AppendAsync(AuditLogBuilder.Envelope(2, AuditLogBuilder.Day1)));
        Assert.Equal(Sec0AuditException.WriteFailedCode, ex.Code);

        var later = Assert.Throws<Sec0AuditException>(() => appender.Enqueue(AuditLogBuilder.Envelope(3, AuditLogBuilder.Day1)));
        Assert.Equal(Sec0AuditException.WriteFailedCode, later.Code);
        var disposed = await Assert.ThrowsAsync<Sec0AuditException>(async () => await appender.DisposeAsync());
        Assert.Equal(Sec0AuditException.WriteFailedCode, disposed.Code);
    }

    [Fact]
    public async Task A_closed_appender_refuses_appends()
    {
        using var dir = new TempDirectory();
        using var signer = TestKeys.NewSigner();
        var appender = AuditAppender.Open(new AuditAppenderOptions { Directory = dir.Path, Signer = signer });
        await appender.DisposeAsync();
        var ex = Assert.Throws<Sec0AuditException>(() => appender.Enqueue(new AuditEnvelope()));
        Assert.Equal(Sec0AuditException.ClosedCode, ex.Code);
    }
}

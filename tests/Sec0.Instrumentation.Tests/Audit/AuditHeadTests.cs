using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Sec0.Audit;
using Sec0.Instrumentation.Tests.Support;
using Sec0.Signing;

namespace Sec0.Instrumentation.Tests.Audit;

/// <summary>
/// The head file beside the log, the instance id and the signing mode in the records: what a restart
/// compares, and that ordinary life (a crash between a batch and its head, a mode change, an old log)
/// raises no alarm.
/// </summary>
public sealed class AuditHeadTests : IDisposable
{
    private readonly TempDirectory _dir = new("head");
    private readonly AuditSigner _signer = TestKeys.NewSigner();

    public void Dispose()
    {
        _signer.Dispose();
        _dir.Dispose();
    }

    private string HeadPath => Path.Combine(_dir.Path, AuditHead.FileName);

    private AuditVerificationReport Verify() => AuditLogBuilder.Verify(_dir.Path, _signer);

    private async Task ReopenAsync(DateTimeOffset now, AuditSigningMode mode = AuditSigningMode.PerEnvelope, int envelopes = 1)
    {
        await using var appender = AuditAppender.Open(new AuditAppenderOptions
        {
            Directory = _dir.Path,
            Signer = _signer,
            TimeProvider = new ManualTimeProvider(now),
            RetentionDays = 0,
            SigningMode = mode,
            CheckpointInterval = TimeSpan.FromHours(1),
        });
        for (var i = 0; i < envelopes; i++)
        {
            await appender.AppendAsync(new AuditEnvelope { Tool = "reopened", Status = "ok" });
        }
    }

    private static List<JsonObject> Records(string file) => File.ReadAllLines(file).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

    [Fact]
    public async Task A_head_that_lags_behind_the_log_is_a_crash_between_a_batch_and_its_head_not_a_cut()
    {
        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 1, perDay: 6);
        var lines = File.ReadAllLines(AuditLogBuilder.Files(_dir.Path)[0]);
        var earlier = new AuditHead(4, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(lines[3]))));
        File.WriteAllText(HeadPath, earlier + "\n");

        await ReopenAsync(AuditLogBuilder.Day1.AddHours(1));

        Assert.True(Verify().IsIntact, string.Join("\n", Verify().Problems));
        Assert.Equal(AuditHead.FromLog(_dir.Path), AuditHead.Read(_dir.Path));
    }

    [Fact]
    public async Task A_head_whose_line_is_not_in_the_log_is_recorded_as_a_rewritten_end()
    {
        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 1, perDay: 6);
        var head = AuditHead.Read(_dir.Path)!.Value;
        File.WriteAllText(HeadPath, new AuditHead(head.Seq, new string('a', 64)) + "\n");

        await ReopenAsync(AuditLogBuilder.Day1.AddHours(1));

        var record = Records(AuditLogBuilder.Files(_dir.Path)[0]).Single(r => (string?)r["record"] == AuditRecordKinds.TruncationDetected);
        Assert.Equal("line_differs", (string?)record["reason"]);
        var problem = Assert.Single(Verify().Problems);
        Assert.Equal(AuditProblemKind.TailCut, problem.Kind);
        Assert.Contains("rewritten", problem.Message);
    }

    [Fact]
    public async Task A_deleted_head_file_is_recorded()
    {
        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 1, perDay: 3);
        File.Delete(HeadPath);

        await ReopenAsync(AuditLogBuilder.Day1.AddHours(1));

        var problem = Assert.Single(Verify().Problems);
        Assert.Equal(AuditProblemKind.TailCut, problem.Kind);
        Assert.Contains(AuditHead.FileName, problem.Message);
    }

    [Fact]
    public async Task A_head_file_the_writer_created_but_had_not_yet_written_is_not_a_cut()
    {
        // A new log's writer creates the head file, writes its first batch, and is killed before the head
        // write that follows it: the head file is there, empty.
        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 1, perDay: 3);
        File.WriteAllBytes(HeadPath, []);

        await ReopenAsync(AuditLogBuilder.Day1.AddHours(1));

        var report = Verify();
        Assert.True(report.IsIntact, string.Join("\n", report.Problems));
        Assert.Equal(AuditHead.FromLog(_dir.Path), AuditHead.Read(_dir.Path));
    }

    [Fact]
    public async Task Every_file_start_names_the_signing_mode_and_the_same_instance_across_days_and_restarts()
    {
        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 2, perDay: 2);
        await ReopenAsync(AuditLogBuilder.Day1.AddDays(3));

        var starts = AuditLogBuilder.Files(_dir.Path).Select(f => Records(f)[0]).ToList();
        Assert.Equal(3, starts.Count);
        Assert.All(starts, s => Assert.Equal("per_envelope", (string?)s["signing"]));
        var instance = (string?)starts[0]["instance"];
        Assert.Matches("^[0-9a-f]{32}$", instance);
        Assert.All(starts, s => Assert.Equal(instance, (string?)s["instance"]));

        using var other = new TempDirectory("head-other");
        await AuditLogBuilder.WriteDaysAsync(other.Path, _signer, days: 1, perDay: 1);
        Assert.NotEqual(instance, (string?)Records(AuditLogBuilder.Files(other.Path)[0])[0]["instance"]);
    }

    [Theory]
    [InlineData(AuditSigningMode.PerEnvelope, AuditSigningMode.Checkpoint)]
    [InlineData(AuditSigningMode.Checkpoint, AuditSigningMode.PerEnvelope)]
    public async Task Changing_the_signing_mode_between_runs_keeps_the_log_intact(AuditSigningMode before, AuditSigningMode after)
    {
        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 1, perDay: 3, before, checkpointEvery: 2);

        await ReopenAsync(AuditLogBuilder.Day1.AddHours(1), after, envelopes: 3);

        var report = Verify();
        Assert.True(report.IsIntact, string.Join("\n", report.Problems));
        Assert.Equal(6, report.ValidEnvelopes);
        var switched = Records(AuditLogBuilder.Files(_dir.Path)[0]).Single(r => (string?)r["record"] == AuditRecordKinds.SigningMode);
        Assert.Equal(AuditSigningModes.Name(after), (string?)switched["signing"]);
    }

    [Fact]
    public async Task A_log_from_before_heads_and_instances_opens_without_an_alarm()
    {
        // Written the way the previous version wrote: no signing, no instance, no head file.
        var file = Path.Combine(_dir.Path, "audit-2026-03-01.ndjson");
        var builder = new AuditLineBuilder(_signer, AuditChain.Genesis);
        using (var stream = File.Create(file))
        {
            stream.Write(builder.BuildRecord(AuditRecordKinds.FileStart, AuditLogBuilder.Day1, new JsonObject { ["file"] = "audit-2026-03-01.ndjson" }));
            stream.WriteByte((byte)'\n');
            for (var i = 1; i <= 3; i++)
            {
                stream.Write(builder.BuildEnvelope(AuditLogBuilder.Envelope(i, AuditLogBuilder.Day1.AddMinutes(i)), sign: true));
                stream.WriteByte((byte)'\n');
            }
        }

        Assert.True(Verify().IsIntact);
        await ReopenAsync(AuditLogBuilder.Day1.AddHours(1));

        var report = Verify();
        Assert.True(report.IsIntact, string.Join("\n", report.Problems));
        Assert.Equal(4, report.ValidEnvelopes);
        Assert.NotNull(AuditHead.Read(_dir.Path));
    }

    [Fact]
    public void A_head_parses_only_as_seq_colon_hash()
    {
        var hash = new string('0', 63) + "f";
        Assert.Equal(new AuditHead(12, hash), AuditHead.Parse($" 12:{hash}\n"));
        Assert.False(AuditHead.TryParse($"0:{hash}", out _));
        Assert.False(AuditHead.TryParse($"-1:{hash}", out _));
        Assert.False(AuditHead.TryParse($"12:{hash.ToUpperInvariant()}", out _));
        Assert.False(AuditHead.TryParse($"12:{hash}0", out _));
        Assert.False(AuditHead.TryParse("12", out _));
        Assert.Contains("sec0 head", Assert.Throws<FormatException>(() => AuditHead.Parse("nonsense")).Message);
    }
}

using System.Text;
using System.Text.Json.Nodes;
using Sec0.Audit;
using Sec0.Instrumentation.Tests.Support;

namespace Sec0.Instrumentation.Tests.Audit;

public class AuditRecoveryTests
{
    [Fact]
    public async Task A_torn_last_line_is_moved_aside_and_a_recovery_record_continues_the_chain()
    {
        using var dir = new TempDirectory();
        using var signer = TestKeys.NewSigner();
        await AuditLogBuilder.WriteDaysAsync(dir.Path, signer, days: 1, perDay: 5);
        var file = AuditLogBuilder.Files(dir.Path)[0];
        var intact = File.ReadAllBytes(file);
        var torn = Encoding.UTF8.GetBytes("{\"agentRef\":\"half-writ");
        File.AppendAllText(file, Encoding.UTF8.GetString(torn));
        Assert.False(AuditLogBuilder.Verify(dir.Path, signer).IsIntact);

        var clock = new ManualTimeProvider(AuditLogBuilder.Day1.AddHours(1));
        await using (var appender = AuditAppender.Open(new AuditAppenderOptions { Directory = dir.Path, Signer = signer, TimeProvider = clock, RetentionDays = 0 }))
        {
            await appender.AppendAsync(new AuditEnvelope { Tool = "after-restart" });
        }

        // Intact lines untouched, torn bytes kept in a side file, chain continued.
        var now = File.ReadAllBytes(file);
        Assert.True(now.AsSpan().StartsWith(intact));
        var side = Assert.Single(Directory.GetFiles(dir.Path, "audit-2026-03-01.ndjson.torn-*"));
        Assert.Equal(torn, File.ReadAllBytes(side));
        var lines = File.ReadAllLines(file);
        var recovery = JsonNode.Parse(lines[6])!.AsObject();
        Assert.Equal(AuditRecordKinds.Recovery, (string?)recovery["record"]);
        Assert.Equal(torn.Length, (long)recovery["torn"]![0]!["bytes"]!);
        Assert.Equal(Path.GetFileName(side), (string?)recovery["torn"]![0]!["side_file"]);

        var report = AuditLogBuilder.Verify(dir.Path, signer);
        Assert.True(report.IsIntact, string.Join("\n", report.Problems));
        Assert.Equal("6/6 envelopes valid, chain intact, 1 file", report.Summary);
    }

    [Fact]
    public async Task An_unsealed_checkpoint_tail_is_chained_on_by_the_recovery_record_and_reported_as_unauthenticated()
    {
        using var dir = new TempDirectory();
        using var signer = TestKeys.NewSigner();
        await AuditLogBuilder.WriteDaysAsync(dir.Path, signer, days: 1, perDay: 15, AuditSigningMode.Checkpoint, checkpointEvery: 10);
        var file = AuditLogBuilder.Files(dir.Path)[0];
        var lines = File.ReadAllLines(file).ToList();
        lines.RemoveAt(lines.Count - 1); // as if the process died before its closing checkpoint
        File.WriteAllText(file, string.Join("\n", lines) + "\n");
        File.WriteAllText(Path.Combine(dir.Path, AuditHead.FileName), AuditHead.FromLog(dir.Path) + "\n"); // and before its head write
        Assert.Contains(AuditLogBuilder.Verify(dir.Path, signer).Problems, p => p.Kind == AuditProblemKind.Unsealed);

        var clock = new ManualTimeProvider(AuditLogBuilder.Day1.AddHours(1));
        await using (AuditAppender.Open(new AuditAppenderOptions { Directory = dir.Path, Signer = signer, TimeProvider = clock, RetentionDays = 0 }))
        {
        }

        var recovery = JsonNode.Parse(File.ReadAllLines(file)[lines.Count])!.AsObject();
        Assert.Equal(AuditRecordKinds.Recovery, (string?)recovery["record"]);
        Assert.Equal(13, (long)recovery["covers_from"]!);

        // The chain goes on, but no signature of the writer that wrote seq 13..17 covers them.
        var report = AuditLogBuilder.Verify(dir.Path, signer);
        var problem = Assert.Single(report.Problems);
        Assert.Equal(AuditProblemKind.Unauthenticated, problem.Kind);
        Assert.Contains("seq 13..17", problem.Message);
        Assert.Equal("10/15 envelopes valid, 5 unauthenticated, 1 problem, 1 file", report.Summary);
    }

    [Fact]
    public async Task Retention_deletes_old_files_and_records_where_the_chain_now_starts()
    {
        using var dir = new TempDirectory();
        using var signer = TestKeys.NewSigner();
        await AuditLogBuilder.WriteDaysAsync(dir.Path, signer, days: 5, perDay: 3);

        // Forty days after the first day, a 37-day window keeps only the last two files.
        var clock = new ManualTimeProvider(AuditLogBuilder.Day1.AddDays(40));
        await using (var appender = AuditAppender.Open(new AuditAppenderOptions { Directory = dir.Path, Signer = signer, TimeProvider = clock, RetentionDays = 37 }))
        {
            await appender.AppendAsync(new AuditEnvelope { Tool = "today" });
        }

        Assert.Equal(
            ["audit-2026-03-04.ndjson", "audit-2026-03-05.ndjson", "audit-2026-04-10.ndjson"],
            AuditLogBuilder.Files(dir.Path).Select(f => Path.GetFileName(f)!).ToArray());
        var retention = JsonNode.Parse(File.ReadAllLines(AuditLogBuilder.Files(dir.Path)[2])[1])!.AsObject();
        Assert.Equal(AuditRecordKinds.Retention, (string?)retention["record"]);
        Assert.Equal(13, (long)retention["retained_from_seq"]!);
        Assert.Equal(3, retention["deleted"]!.AsArray().Count);

        var report = AuditLogBuilder.Verify(dir.Path, signer);
        Assert.True(report.IsIntact, string.Join("\n", report.Problems));
        Assert.Equal(7, report.Envelopes);
    }
}

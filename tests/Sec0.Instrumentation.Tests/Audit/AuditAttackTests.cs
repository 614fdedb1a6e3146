using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Sec0.Audit;
using Sec0.Instrumentation.Tests.Support;
using Sec0.Signing;

namespace Sec0.Instrumentation.Tests.Audit;

/// <summary>
/// An attacker with write access to the audit folder and no signing key: every change they can make is
/// reported by the verifier, and no restart of the appender turns it into a valid log.
/// </summary>
public sealed class AuditAttackTests : IDisposable
{
    private readonly TempDirectory _dir = new("attack");
    private readonly AuditSigner _signer = TestKeys.NewSigner();

    public void Dispose()
    {
        _signer.Dispose();
        _dir.Dispose();
    }

    private AuditVerificationReport Verify() => AuditLogBuilder.Verify(_dir.Path, _signer);

    private static string Report(AuditVerificationReport report) => report.Summary + "\n" + string.Join("\n", report.Problems);

    private AuditAppender Reopen(DateTimeOffset now, int retentionDays = 0, AuditSigningMode mode = AuditSigningMode.PerEnvelope)
        => AuditAppender.Open(new AuditAppenderOptions
        {
            Directory = _dir.Path,
            Signer = _signer,
            TimeProvider = new ManualTimeProvider(now),
            RetentionDays = retentionDays,
            SigningMode = mode,
        });

    /// <summary>An envelope line with the right seq and prev for the end of <paramref name="file"/>, and no signature.</summary>
    private static string ForgeUnsignedLine(string file, string tool)
    {
        var last = File.ReadAllLines(file)[^1];
        var lastRecord = JsonNode.Parse(last)!.AsObject();
        var forged = new JsonObject
        {
            ["key_id"] = (string?)lastRecord["key_id"],
            ["node_type"] = "agent",
            ["prev"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(last))),
            ["seq"] = (long)lastRecord["seq"]! + 1,
            ["status"] = "ok",
            ["tenant"] = "demo",
            ["tool"] = tool,
            ["ts"] = (string?)lastRecord["ts"],
            ["v"] = 1,
        };
        return Encoding.UTF8.GetString(JsonCanonicalizer.Canonicalize(Encoding.UTF8.GetBytes(forged.ToJsonString())));
    }

    // --- 1. Recovery never seals forged lines ---------------------------------------------------------------

    [Fact]
    public async Task Forged_unsigned_lines_appended_to_a_per_envelope_log_are_moved_aside_at_restart_and_reported()
    {
        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 1, perDay: 4);
        var file = AuditLogBuilder.Files(_dir.Path)[0];
        var genuine = File.ReadAllBytes(file);
        var forged1 = ForgeUnsignedLine(file, "Payments.Refund");
        File.AppendAllText(file, forged1 + "\n");
        var forged2 = ForgeUnsignedLine(file, "Payments.Refund");
        File.AppendAllText(file, forged2 + "\n");
        Assert.False(Verify().IsIntact);

        await using (var appender = Reopen(AuditLogBuilder.Day1.AddHours(1)))
        {
            await appender.AppendAsync(new AuditEnvelope { Tool = "after-restart", Status = "ok" });
        }

        // The forged lines are out of the chain, kept aside byte for byte; the genuine ones untouched.
        Assert.True(File.ReadAllBytes(file).AsSpan().StartsWith(genuine));
        Assert.DoesNotContain("Payments.Refund", File.ReadAllText(file));
        var side = Assert.Single(Directory.GetFiles(_dir.Path, "audit-2026-03-01.ndjson.rejected-*"));
        Assert.Equal(forged1 + "\n" + forged2 + "\n", File.ReadAllText(side));

        // And the verifier says an attack happened: the recovery record names what it moved aside.
        var report = Verify();
        Assert.False(report.IsIntact, Report(report));
        var problem = Assert.Single(report.Problems);
        Assert.Equal(AuditProblemKind.Rejected, problem.Kind);
        Assert.Contains("2 line(s)", problem.Message);
        Assert.Contains(Path.GetFileName(side), problem.Message);
        Assert.Equal(5, report.ValidEnvelopes);
    }

    [Fact]
    public async Task A_line_with_a_bad_signature_at_the_end_is_moved_aside_not_chained_on()
    {
        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 1, perDay: 4);
        var file = AuditLogBuilder.Files(_dir.Path)[0];
        var lines = File.ReadAllLines(file);
        lines[^1] = lines[^1].Replace("OrderAgent.Run", "OrderAgent.Ruin", StringComparison.Ordinal);
        File.WriteAllText(file, string.Join("\n", lines) + "\n");

        await using (Reopen(AuditLogBuilder.Day1.AddHours(1)))
        {
        }

        var report = Verify();
        Assert.Contains(report.Problems, p => p.Kind == AuditProblemKind.Rejected);
        Assert.DoesNotContain(report.Problems, p => p.Kind is AuditProblemKind.BadSignature or AuditProblemKind.BrokenChain);
        Assert.DoesNotContain("OrderAgent.Ruin", File.ReadAllText(file));
    }

    [Fact]
    public async Task A_genuine_line_copied_to_the_end_is_moved_aside_not_chained_on()
    {
        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 1, perDay: 8);
        var file = AuditLogBuilder.Files(_dir.Path)[0];
        var genuine = File.ReadAllBytes(file);
        var copied = File.ReadAllLines(file)[4]; // seq 5: signed, canonical, valid on its own
        File.AppendAllText(file, copied + "\n");

        await using (var appender = Reopen(AuditLogBuilder.Day1.AddHours(1)))
        {
            await appender.AppendAsync(new AuditEnvelope { Tool = "after-restart", Status = "ok" });
        }

        // The writer went on from seq 9, the real end, not from the copy (which would fork the chain at seq 6).
        Assert.True(File.ReadAllBytes(file).AsSpan().StartsWith(genuine));
        var side = Assert.Single(Directory.GetFiles(_dir.Path, "audit-2026-03-01.ndjson.rejected-*"));
        Assert.Equal(copied + "\n", File.ReadAllText(side));
        var report = Verify();
        var problem = Assert.Single(report.Problems);
        Assert.Equal(AuditProblemKind.Rejected, problem.Kind);
        Assert.Contains("broken_chain", problem.Message);
        Assert.Equal(9, report.ValidEnvelopes);
    }

    [Fact(Skip = "Design limit: recovery takes a line signed by another key as the end of the log (so that a key rotation does not move the old key's lines aside) but cannot check that signature; a line with a made-up key_id and any sig is chained on. The verifier still reports it (unknown key). Closing it needs the old public keys, e.g. configured trusted previous keys.")]
    public async Task A_line_with_a_made_up_key_id_at_the_end_is_moved_aside_not_chained_on()
    {
        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 1, perDay: 4);
        var file = AuditLogBuilder.Files(_dir.Path)[0];
        var last = File.ReadAllLines(file)[^1];
        var forged = JsonNode.Parse(last)!.AsObject();
        forged["seq"] = (long)forged["seq"]! + 1;
        forged["prev"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(last)));
        forged["tool"] = "Payments.Refund";
        forged["key_id"] = "ed25519:" + new string('a', 64);
        forged["sig"] = "ed25519:" + Convert.ToBase64String(new byte[64]);
        File.AppendAllText(file, Encoding.UTF8.GetString(JsonCanonicalizer.Canonicalize(Encoding.UTF8.GetBytes(forged.ToJsonString()))) + "\n");

        await using (var appender = Reopen(AuditLogBuilder.Day1.AddHours(1)))
        {
            await appender.AppendAsync(new AuditEnvelope { Tool = "after-restart", Status = "ok" });
        }

        Assert.DoesNotContain("Payments.Refund", File.ReadAllText(file));
        Assert.Contains(Verify().Problems, p => p.Kind == AuditProblemKind.Rejected);
    }

    [Fact]
    public async Task Forged_lines_on_a_crashed_checkpoint_log_are_reported_as_unauthenticated_after_restart()
    {
        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 1, perDay: 15, AuditSigningMode.Checkpoint, checkpointEvery: 10);
        var file = AuditLogBuilder.Files(_dir.Path)[0];
        var lines = File.ReadAllLines(file).ToList();
        lines.RemoveAt(lines.Count - 1); // the closing checkpoint: as if the writer crashed
        File.WriteAllText(file, string.Join("\n", lines) + "\n");
        File.WriteAllText(Path.Combine(_dir.Path, AuditHead.FileName), AuditHead.FromLog(_dir.Path) + "\n");
        File.AppendAllText(file, ForgeUnsignedLine(file, "Payments.Refund") + "\n");

        await using (Reopen(AuditLogBuilder.Day1.AddHours(1), mode: AuditSigningMode.Checkpoint))
        {
        }

        // The crash and the forgery look alike from the folder: neither line is called valid.
        var report = Verify();
        Assert.False(report.IsIntact, Report(report));
        var problem = Assert.Single(report.Problems);
        Assert.Equal(AuditProblemKind.Unauthenticated, problem.Kind);
        Assert.Contains("seq 13..18", problem.Message);
        Assert.Equal(10, report.ValidEnvelopes);
        Assert.Equal(6, report.UnauthenticatedEnvelopes);
        Assert.Contains("6 unauthenticated", report.Summary);
    }

    [Fact]
    public async Task An_unsigned_envelope_in_a_per_envelope_file_is_never_valid()
    {
        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 1, perDay: 4);
        var file = AuditLogBuilder.Files(_dir.Path)[0];
        File.AppendAllText(file, ForgeUnsignedLine(file, "Payments.Refund") + "\n");

        var report = Verify();
        var problem = Assert.Single(report.Problems);
        Assert.Equal(AuditProblemKind.BadSignature, problem.Kind);
        Assert.Equal(6, problem.Line);
        Assert.Contains("unsigned", problem.Message);
    }

    // --- 2. Retention never anchors over files it did not delete ------------------------------------------------

    [Fact]
    public async Task A_file_deleted_inside_the_retention_window_stays_visible_after_retention_runs()
    {
        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 6, perDay: 3);
        var files = AuditLogBuilder.Files(_dir.Path);
        File.Delete(files[3]); // 2026-03-04: inside the window below

        // 38 days after day 1 (04-08): retention (35 days) deletes 03-01 to 03-03, and may not anchor 03-05.
        await using (var appender = Reopen(AuditLogBuilder.Day1.AddDays(38), retentionDays: 35))
        {
            await appender.AppendAsync(new AuditEnvelope { Tool = "today", Status = "ok" });
        }

        Assert.Equal(["audit-2026-03-05.ndjson", "audit-2026-03-06.ndjson", "audit-2026-04-08.ndjson"], AuditLogBuilder.Files(_dir.Path).Select(Path.GetFileName));
        var report = Verify();
        Assert.False(report.IsIntact, Report(report));
        Assert.Equal(2, report.Problems.Count);
        Assert.Contains(report.Problems, p => p.Kind == AuditProblemKind.MissingStart && p.File == "audit-2026-03-05.ndjson" && p.Line == 1);
        var gap = Assert.Single(report.Problems, p => p.Kind == AuditProblemKind.Gap);
        Assert.Equal(("audit-2026-04-08.ndjson", 2L), (gap.File, gap.Line)); // the signed gap record, right after file_start
        Assert.Contains("last line deleted was seq 12", gap.Message);
        Assert.Contains("starts at seq 17", gap.Message);
    }

    [Fact]
    public async Task A_planted_empty_old_file_does_not_buy_an_anchor_for_a_deleted_first_file()
    {
        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 3, perDay: 3);
        var files = AuditLogBuilder.Files(_dir.Path);
        File.Delete(files[0]);
        File.WriteAllBytes(Path.Combine(_dir.Path, "audit-2000-01-01.ndjson"), []);

        await using (Reopen(AuditLogBuilder.Day1.AddDays(2).AddHours(1), retentionDays: 30))
        {
        }

        var report = Verify();
        Assert.False(report.IsIntact, Report(report));
        Assert.Contains(report.Problems, p => p.Kind is AuditProblemKind.MissingStart or AuditProblemKind.Gap);
    }

    [Fact]
    public async Task Retention_that_deletes_the_files_right_before_the_kept_chain_anchors_it()
    {
        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 6, perDay: 3);

        await using (Reopen(AuditLogBuilder.Day1.AddDays(38), retentionDays: 35))
        {
        }

        var report = Verify();
        Assert.True(report.IsIntact, Report(report));
        Assert.Equal(4, report.Files);
    }

    [Fact]
    public async Task A_genuine_line_copied_into_a_file_retention_deletes_does_not_anchor_over_files_deleted_inside_the_window()
    {
        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 10, perDay: 3);
        var files = AuditLogBuilder.Files(_dir.Path);

        // Retention below (35 days, on 04-10) deletes 03-01 to 03-05; 03-06 to 03-09 are inside the window.
        // The attacker deletes those and appends to 03-05 a copy of the line 03-10's file_start chains from,
        // so the file retention deletes seems to end exactly where the kept log starts.
        File.AppendAllText(files[4], File.ReadAllLines(files[8])[^1] + "\n");
        for (var i = 5; i <= 8; i++)
        {
            File.Delete(files[i]);
        }

        await using (Reopen(AuditLogBuilder.Day1.AddDays(40), retentionDays: 35))
        {
        }

        Assert.Equal(["audit-2026-03-10.ndjson", "audit-2026-04-10.ndjson"], AuditLogBuilder.Files(_dir.Path).Select(Path.GetFileName));
        var report = Verify();
        Assert.False(report.IsIntact, Report(report));
        Assert.Contains(report.Problems, p => p.Kind == AuditProblemKind.MissingStart && p.File == "audit-2026-03-10.ndjson");
        Assert.Contains(report.Problems, p => p.Kind == AuditProblemKind.Gap && p.File == "audit-2026-04-10.ndjson");
    }

    [Fact]
    public async Task Newer_files_merged_into_a_file_retention_deletes_do_not_buy_an_anchor()
    {
        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 10, perDay: 3);
        var files = AuditLogBuilder.Files(_dir.Path);

        // 03-06 to 03-09 appended to 03-05: one unbroken chain of genuine lines from 03-05's file_start to the
        // line 03-10 chains from, and retention would delete all of it as if it were old.
        for (var i = 5; i <= 8; i++)
        {
            File.AppendAllText(files[4], File.ReadAllText(files[i]));
            File.Delete(files[i]);
        }

        await using (Reopen(AuditLogBuilder.Day1.AddDays(40), retentionDays: 35))
        {
        }

        var report = Verify();
        Assert.False(report.IsIntact, Report(report));
        Assert.Contains(report.Problems, p => p.Kind == AuditProblemKind.MissingStart && p.File == "audit-2026-03-10.ndjson");
        Assert.Contains(report.Problems, p => p.Kind == AuditProblemKind.Gap && p.File == "audit-2026-04-10.ndjson");
    }

    [Fact]
    public async Task Deleting_every_file_but_one_retention_deletes_is_not_anchored_by_a_copy_of_the_last_line()
    {
        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 10, perDay: 3);
        var files = AuditLogBuilder.Files(_dir.Path);

        // The whole window deleted, the last line of the log copied to the end of 03-05, where the head file
        // says the log ends: a restart that chained on from the copy would leave nothing to see once
        // retention deleted 03-05.
        File.AppendAllText(files[4], File.ReadAllLines(files[9])[^1] + "\n");
        for (var i = 5; i <= 9; i++)
        {
            File.Delete(files[i]);
        }

        await using (Reopen(AuditLogBuilder.Day1.AddDays(40), retentionDays: 35))
        {
        }

        // Recovery moves the copy aside (it does not chain from the line before it) and records that the log
        // ends before the head; retention then anchors the real end of 03-05, which it did delete.
        Assert.Equal(["audit-2026-04-10.ndjson"], AuditLogBuilder.Files(_dir.Path).Select(Path.GetFileName));
        var report = Verify();
        Assert.False(report.IsIntact, Report(report));
        Assert.Contains(report.Problems, p => p.Kind == AuditProblemKind.Rejected);
        Assert.Contains(report.Problems, p => p.Kind == AuditProblemKind.TailCut && p.Message.Contains("seq 40", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_file_planted_with_a_later_date_does_not_pin_the_writer_to_it()
    {
        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 1, perDay: 3);

        // The writer never goes back to an older day's file: an empty file named for 2099 would have taken every
        // line from now on, never rotated, so retention at rotation never ran again.
        File.WriteAllBytes(Path.Combine(_dir.Path, "audit-2099-01-01.ndjson"), []);

        await using (var appender = Reopen(AuditLogBuilder.Day1.AddDays(1), retentionDays: 30))
        {
            await appender.AppendAsync(AuditLogBuilder.Envelope(4, AuditLogBuilder.Day1.AddDays(1)));
        }

        Assert.Equal(["audit-2026-03-01.ndjson", "audit-2026-03-02.ndjson"], AuditLogBuilder.Files(_dir.Path).Select(Path.GetFileName));
        var report = Verify();
        Assert.True(report.IsIntact, Report(report));
    }

    // --- 3. A cut tail stays visible after a restart ---------------------------------------------------------

    [Fact]
    public async Task Deleting_the_newest_lines_is_recorded_when_the_appender_opens_again()
    {
        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 1, perDay: 8);
        var file = AuditLogBuilder.Files(_dir.Path)[0];
        var lines = File.ReadAllLines(file);
        File.WriteAllText(file, string.Join("\n", lines[..^3]) + "\n");

        await using (var appender = Reopen(AuditLogBuilder.Day1.AddHours(1)))
        {
            await appender.AppendAsync(new AuditEnvelope { Tool = "after-cut", Status = "ok" });
        }

        var report = Verify();
        Assert.False(report.IsIntact, Report(report));
        var problem = Assert.Single(report.Problems);
        Assert.Equal(AuditProblemKind.TailCut, problem.Kind);
        Assert.Contains("seq 9", problem.Message);
        Assert.Contains("seq 6", problem.Message);
    }

    [Fact]
    public async Task Deleting_the_newest_file_is_recorded_when_the_appender_opens_again()
    {
        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 3, perDay: 3);
        File.Delete(AuditLogBuilder.Files(_dir.Path)[2]);

        await using (Reopen(AuditLogBuilder.Day1.AddDays(2).AddHours(1)))
        {
        }

        var report = Verify();
        Assert.Contains(report.Problems, p => p.Kind == AuditProblemKind.TailCut);
    }

    [Fact]
    public async Task The_head_file_follows_every_write()
    {
        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 2, perDay: 3);
        var head = AuditHead.Read(_dir.Path);
        var lastLine = File.ReadAllLines(AuditLogBuilder.Files(_dir.Path)[^1])[^1];
        Assert.NotNull(head);
        Assert.Equal((long)JsonNode.Parse(lastLine)!["seq"]!, head.Value.Seq);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(lastLine))), head.Value.Hash);
        Assert.Equal(head, AuditHead.FromLog(_dir.Path));
    }

    [Fact]
    public async Task A_head_kept_elsewhere_catches_a_cut_tail_that_no_restart_saw()
    {
        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 1, perDay: 8);
        var head = AuditHead.FromLog(_dir.Path)!.Value;
        var file = AuditLogBuilder.Files(_dir.Path)[0];
        var lines = File.ReadAllLines(file);
        File.WriteAllText(file, string.Join("\n", lines[..^2]) + "\n");
        Assert.True(Verify().IsIntact); // nothing offline can see it ...

        using var verifier = _signer.CreateVerifier();
        var report = new AuditLogVerifier(verifier).Verify(_dir.Path, new AuditVerifyOptions { ExpectedHead = head });
        var problem = Assert.Single(report.Problems);
        Assert.Equal(AuditProblemKind.TailCut, problem.Kind); // ... but the head shipped elsewhere does
    }

    [Fact]
    public async Task A_log_replaced_by_another_log_signed_with_the_same_key_does_not_match_the_head()
    {
        var clock = new ManualTimeProvider(AuditLogBuilder.Day1);
        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 1, perDay: 5);
        var head = AuditHead.FromLog(_dir.Path)!.Value;

        // Same key, same envelopes, same clock: only the log's instance id tells them apart.
        using var other = new TempDirectory("attack-other");
        await AuditLogBuilder.WriteDaysAsync(other.Path, _signer, days: 1, perDay: 5);
        using var verifier = _signer.CreateVerifier();
        var report = new AuditLogVerifier(verifier).Verify(other.Path, new AuditVerifyOptions { ExpectedHead = head });
        var problem = Assert.Single(report.Problems);
        Assert.Equal(AuditProblemKind.HeadMismatch, problem.Kind);
    }

    // --- 4. Hostile files never stop the verifier ------------------------------------------------------------

    [Fact]
    public async Task A_pipe_or_a_link_to_a_device_in_place_of_a_file_is_reported_without_blocking_or_reading_forever()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no named pipes or /dev/zero in a folder there
        }

        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 3, perDay: 3);
        var files = AuditLogBuilder.Files(_dir.Path);
        File.Delete(files[1]);
        File.CreateSymbolicLink(files[1], "/dev/zero"); // endless bytes, never a newline
        MakeFifo(Path.Combine(_dir.Path, "audit-2026-03-04.ndjson")); // opening it waits for a writer

        // A guard, not a timing assertion: before the fix neither returned.
        var report = await Task.Run(Verify).WaitAsync(TimeSpan.FromMinutes(5));
        var head = await Task.Run(() => AuditHead.FromLog(_dir.Path)).WaitAsync(TimeSpan.FromMinutes(5));

        Assert.Equal(12, head?.Seq); // sec0 head: the last line of 03-03, the newest file with lines

        Assert.False(report.IsIntact, Report(report));
        Assert.Contains(report.Problems, p => p.Kind == AuditProblemKind.BrokenChain && p.File == "audit-2026-03-03.ndjson");
        Assert.Contains(report.Problems, p => p.Kind == AuditProblemKind.Empty && p.File == "audit-2026-03-04.ndjson");
    }

    [Fact]
    public async Task A_file_of_countless_bad_lines_is_reported_with_a_bounded_list()
    {
        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 1, perDay: 2);

        // One problem per two bytes: a 1 GB file of these made the report (and the process) 70 times its size.
        var badLines = AuditLogVerifier.MaxListedProblems + 25_000;
        File.AppendAllText(AuditLogBuilder.Files(_dir.Path)[0], new string('\n', badLines));

        var report = Verify();

        Assert.False(report.IsIntact);
        Assert.Equal(AuditLogVerifier.MaxListedProblems, report.Problems.Count);
        Assert.Equal(25_000, report.UnlistedProblems);
        Assert.All(report.Problems, p => Assert.Equal(AuditProblemKind.Malformed, p.Kind));
        Assert.Equal(4, report.Problems[0].Line); // the first bad line, right after the genuine ones
        Assert.Contains($"{badLines} problems", report.Summary);
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    // --- 5. Files not written by Sec0 are never touched ----------------------------------------------------

    [Fact]
    public void A_folder_with_files_of_another_format_is_refused_and_left_as_it_is()
    {
        // Sec0's TypeScript SDK writes audit-YYYY-MM-DD.ndjson too.
        var ts = Path.Combine(_dir.Path, "audit-2026-01-02.ndjson");
        var tsLine = "{\"ts\":\"2026-01-02T10:00:00.000Z\",\"tenant\":\"demo\",\"server\":\"s\",\"tool\":\"t\",\"status\":\"ok\",\"sig\":\"abc\"}\n";
        File.WriteAllText(ts, tsLine + "{\"ts\":\"2026-01-02T10:00:01.000Z\",\"torn");
        var before = File.ReadAllBytes(ts);

        var ex = Assert.Throws<Sec0AuditException>(() => Reopen(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero), retentionDays: 30));
        Assert.StartsWith("[sec0-audit]", ex.Message);
        Assert.Contains(ts, ex.Message);
        Assert.Contains("appenderDir", ex.Message);
        Assert.Equal(before, File.ReadAllBytes(ts));
        Assert.Equal([ts], Directory.GetFiles(_dir.Path, "audit-*"));
    }

    [Fact]
    public async Task Links_planted_in_the_folder_never_make_the_writer_write_or_truncate_files_outside_it()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // creating links needs privileges there
        }

        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 1, perDay: 3);
        using var outside = new TempDirectory("attack-outside");
        const string Precious = "# a file the service may write, outside the audit folder\nkeep: every byte of this\n";
        var victims = new[] { Path.Combine(outside.Path, "head-victim.conf"), Path.Combine(outside.Path, "pid-victim.conf") };
        foreach (var victim in victims)
        {
            File.WriteAllText(victim, Precious);
        }

        var head = Path.Combine(_dir.Path, AuditHead.FileName);
        File.Delete(head);
        File.CreateSymbolicLink(head, victims[0]);
        var pid = Path.Combine(_dir.Path, ".sec0-audit.pid");
        File.Delete(pid);
        File.CreateSymbolicLink(pid, victims[1]);

        await using (var appender = Reopen(AuditLogBuilder.Day1.AddHours(1)))
        {
            await appender.AppendAsync(new AuditEnvelope { Tool = "after-links", Status = "ok" });
        }

        Assert.All(victims, victim => Assert.Equal(Precious, File.ReadAllText(victim)));
        Assert.Null(new FileInfo(head).LinkTarget);
        Assert.Equal(AuditHead.FromLog(_dir.Path), AuditHead.Read(_dir.Path));
    }

    [Fact]
    public async Task An_audit_file_that_is_a_link_is_refused_and_what_it_points_to_left_as_it_is()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // Another Sec0 log, out of the attacker's reach, whose writer crashed mid-line: recovery through a link
        // would cut its torn end.
        using var other = new TempDirectory("attack-other-log");
        await AuditLogBuilder.WriteDaysAsync(other.Path, _signer, days: 1, perDay: 3);
        var target = AuditLogBuilder.Files(other.Path)[0];
        File.AppendAllText(target, "{\"agentRef\":\"torn");
        var before = File.ReadAllBytes(target);

        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 1, perDay: 3);
        var link = Path.Combine(_dir.Path, "audit-2026-03-02.ndjson");
        File.CreateSymbolicLink(link, target);

        var ex = Assert.Throws<Sec0AuditException>(() => Reopen(AuditLogBuilder.Day1.AddDays(1)));
        Assert.Equal(Sec0AuditException.ForeignFileCode, ex.Code);
        Assert.Contains("symbolic link", ex.Message);
        Assert.Equal(before, File.ReadAllBytes(target));
    }

    [Fact]
    public async Task A_named_pipe_in_place_of_the_newest_file_does_not_block_the_writer()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 1, perDay: 3);
        MakeFifo(Path.Combine(_dir.Path, "audit-2026-03-02.ndjson"));

        // A guard, not a timing assertion: before the fix opening the appender never returned.
        await Task.Run(async () =>
        {
            await using var appender = Reopen(AuditLogBuilder.Day1.AddDays(1));
            await appender.AppendAsync(new AuditEnvelope { Tool = "after-pipe", Status = "ok" });
        }).WaitAsync(TimeSpan.FromMinutes(5));

        // The pipe held nothing; a regular file took its place and the log goes on in it.
        var report = Verify();
        Assert.True(report.IsIntact, Report(report));
        Assert.Equal(2, report.Files);
    }

    [Fact]
    public async Task A_file_of_another_tool_that_appears_while_running_is_never_deleted_by_retention()
    {
        var clock = new ManualTimeProvider(AuditLogBuilder.Day1);
        await using var appender = AuditAppender.Open(new AuditAppenderOptions { Directory = _dir.Path, Signer = _signer, TimeProvider = clock, RetentionDays = 10 });
        await appender.AppendAsync(AuditLogBuilder.Envelope(1, AuditLogBuilder.Day1));
        var old = Path.Combine(_dir.Path, "audit-2025-01-01.ndjson");
        File.WriteAllText(old, "{\"ts\":\"2025-01-01T00:00:00.000Z\",\"tool\":\"t\"}\n");
        var emptyOld = Path.Combine(_dir.Path, "audit-2025-01-02.ndjson");
        File.WriteAllBytes(emptyOld, []);

        // The next day's first envelope rotates the file, and retention runs.
        await appender.AppendAsync(AuditLogBuilder.Envelope(2, AuditLogBuilder.Day1.AddDays(1)));
        await appender.FlushAsync();

        Assert.True(File.Exists(old));
        Assert.False(File.Exists(emptyOld)); // an empty file holds nothing to lose
        await appender.DisposeAsync();
        File.Delete(old);
        var report = Verify();
        Assert.True(report.IsIntact, Report(report));
    }
}

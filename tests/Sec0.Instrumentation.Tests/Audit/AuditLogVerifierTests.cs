using System.Text;
using System.Text.Json.Nodes;
using Sec0.Audit;
using Sec0.Instrumentation.Tests.Support;

namespace Sec0.Instrumentation.Tests.Audit;

/// <summary>Each way of tampering with a real three-day log is caught, and named.</summary>
public sealed class AuditLogVerifierTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly Sec0.Signing.AuditSigner _signer = TestKeys.NewSigner();
    private readonly string[] _files;

    public AuditLogVerifierTests()
    {
        AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 3, perDay: 10).GetAwaiter().GetResult();
        _files = AuditLogBuilder.Files(_dir.Path);
        Assert.True(Verify().IsIntact);
    }

    public void Dispose()
    {
        _signer.Dispose();
        _dir.Dispose();
    }

    private AuditVerificationReport Verify() => AuditLogBuilder.Verify(_dir.Path, _signer);

    private static List<string> Lines(string file) => File.ReadAllLines(file).ToList();

    private static void Save(string file, List<string> lines) => File.WriteAllText(file, string.Join("\n", lines) + "\n");

    private static void AssertProblem(AuditVerificationReport report, AuditProblemKind kind, string file, long line)
    {
        Assert.False(report.IsIntact);
        Assert.Contains(report.Problems, p => p.Kind == kind && p.File == Path.GetFileName(file) && p.Line == line);
    }

    [Fact]
    public void A_flipped_byte_is_a_bad_signature_and_a_broken_chain()
    {
        var bytes = File.ReadAllBytes(_files[1]);
        var at = Encoding.UTF8.GetString(bytes).IndexOf("\"tenant\":\"demo\"", StringComparison.Ordinal) + 10;
        bytes[at] ^= 0x01; // demo -> eemo on line 2, the first envelope
        File.WriteAllBytes(_files[1], bytes);

        var report = Verify();
        AssertProblem(report, AuditProblemKind.BadSignature, _files[1], 2);
        AssertProblem(report, AuditProblemKind.BrokenChain, _files[1], 3);
        Assert.Equal(28, report.ValidEnvelopes);
    }

    [Theory]
    [InlineData("\"tenant\":\"\\ud800\"")]
    [InlineData("\"tenant\":\"demo\",\"tenant\":\"demo\"")]
    [InlineData("\"tenant\":1e400")]
    public void A_line_canonical_json_cannot_express_is_a_malformed_line_not_a_crash(string tampered)
    {
        var lines = Lines(_files[1]);
        lines[1] = lines[1].Replace("\"tenant\":\"demo\"", tampered, StringComparison.Ordinal);
        Save(_files[1], lines);

        var report = Verify();
        AssertProblem(report, AuditProblemKind.Malformed, _files[1], 2);
        Assert.StartsWith("not a valid audit record: ", report.Problems.Single(p => p.Kind == AuditProblemKind.Malformed).Message, StringComparison.Ordinal);
        AssertProblem(report, AuditProblemKind.BrokenChain, _files[1], 3);
    }

    [Fact]
    public void A_deleted_line_is_a_gap_and_a_broken_chain()
    {
        var lines = Lines(_files[0]);
        lines.RemoveAt(4);
        Save(_files[0], lines);

        var report = Verify();
        AssertProblem(report, AuditProblemKind.BrokenChain, _files[0], 5);
        AssertProblem(report, AuditProblemKind.Gap, _files[0], 5);
        Assert.Contains(report.Problems, p => p.Message.Contains("seq 5..5", StringComparison.Ordinal));
    }

    [Fact]
    public void Two_swapped_lines_are_reordered_and_break_the_chain()
    {
        var lines = Lines(_files[2]);
        (lines[3], lines[4]) = (lines[4], lines[3]);
        Save(_files[2], lines);

        var report = Verify();
        AssertProblem(report, AuditProblemKind.Reordered, _files[2], 5);
        AssertProblem(report, AuditProblemKind.BrokenChain, _files[2], 4);
        Assert.DoesNotContain(report.Problems, p => p.Kind == AuditProblemKind.Gap);
    }

    [Fact]
    public void A_forged_inserted_line_is_caught_even_when_its_chain_fields_look_right()
    {
        var lines = Lines(_files[1]);
        var original = JsonNode.Parse(lines[2])!.AsObject();
        var forged = JsonNode.Parse(lines[2])!.AsObject();
        forged["tool"] = "Payments.Refund";
        forged["seq"] = (long)original["seq"]! + 1;
        forged["prev"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(lines[2])));
        lines.Insert(3, forged.ToJsonString());
        Save(_files[1], lines);

        var report = Verify();
        AssertProblem(report, AuditProblemKind.BadSignature, _files[1], 4);
        AssertProblem(report, AuditProblemKind.Duplicate, _files[1], 5);
        AssertProblem(report, AuditProblemKind.BrokenChain, _files[1], 5);
    }

    [Fact]
    public async Task A_line_signed_by_another_key_is_an_unknown_key()
    {
        using var other = TestKeys.NewSigner();
        using var otherDir = new TempDirectory();
        await AuditLogBuilder.WriteDaysAsync(otherDir.Path, other, days: 1, perDay: 3);
        var lines = Lines(_files[0]);
        lines[2] = Lines(AuditLogBuilder.Files(otherDir.Path)[0])[2];
        Save(_files[0], lines);

        AssertProblem(Verify(), AuditProblemKind.UnknownKey, _files[0], 3);
    }

    [Fact]
    public void A_truncated_file_is_reported_with_its_torn_line()
    {
        var bytes = File.ReadAllBytes(_files[1]);
        File.WriteAllBytes(_files[1], bytes[..(bytes.Length - 40)]);

        var report = Verify();
        AssertProblem(report, AuditProblemKind.Truncated, _files[1], 11);
        AssertProblem(report, AuditProblemKind.BrokenChain, _files[2], 1);
    }

    [Fact]
    public void A_deleted_file_in_the_middle_breaks_the_chain_across_files()
    {
        File.Delete(_files[1]);

        var report = Verify();
        AssertProblem(report, AuditProblemKind.BrokenChain, _files[2], 1);
        AssertProblem(report, AuditProblemKind.Gap, _files[2], 1);
        Assert.Contains("audit-2026-03-01.ndjson", report.Problems.First(p => p.Kind == AuditProblemKind.BrokenChain).Message);
    }

    [Fact]
    public void A_deleted_first_file_is_a_missing_start()
    {
        File.Delete(_files[0]);

        AssertProblem(Verify(), AuditProblemKind.MissingStart, _files[1], 1);
    }

    [Fact]
    public void A_line_moved_to_another_file_is_caught()
    {
        var from = Lines(_files[0]);
        var to = Lines(_files[1]);
        var moved = from[^1];
        from.RemoveAt(from.Count - 1);
        to.Insert(0, moved);
        Save(_files[0], from);
        Save(_files[1], to);

        // The chain's order is unchanged; the file_start record is what pins a line to its file.
        var report = Verify();
        AssertProblem(report, AuditProblemKind.Misplaced, _files[1], 1);
        Assert.Contains(report.Problems, p => p.Kind == AuditProblemKind.Misplaced && p.Line == 2);
    }

    [Fact]
    public async Task Removing_a_checkpoint_leaves_lines_unsealed()
    {
        using var dir = new TempDirectory();
        await AuditLogBuilder.WriteDaysAsync(dir.Path, _signer, days: 1, perDay: 15, AuditSigningMode.Checkpoint, checkpointEvery: 10);
        var file = AuditLogBuilder.Files(dir.Path)[0];
        var lines = Lines(file);
        Assert.Contains("\"record\":\"checkpoint\"", lines[^1]);
        lines.RemoveAt(lines.Count - 1);
        Save(file, lines);

        var report = AuditLogBuilder.Verify(dir.Path, _signer);
        Assert.Contains(report.Problems, p => p.Kind == AuditProblemKind.Unsealed && p.Message.Contains("seq 13..17", StringComparison.Ordinal));
        Assert.Equal(10, report.ValidEnvelopes);
    }

    [Fact]
    public void An_invalid_utf8_byte_is_a_malformed_line_and_every_other_problem_is_still_reported()
    {
        var bytes = File.ReadAllBytes(_files[0]);
        var at = Encoding.UTF8.GetString(bytes).IndexOf("OrderAgent", StringComparison.Ordinal);
        bytes[at] = 0xFF; // line 2
        File.WriteAllBytes(_files[0], bytes);
        var lines = Lines(_files[2]);
        lines.RemoveAt(5);
        Save(_files[2], lines);

        var report = Verify();
        AssertProblem(report, AuditProblemKind.Malformed, _files[0], 2);
        Assert.Contains("UTF-8", report.Problems.First(p => p.Kind == AuditProblemKind.Malformed).Message);
        AssertProblem(report, AuditProblemKind.Gap, _files[2], 6);
    }

    [Fact]
    public void An_empty_folder_is_a_problem_not_an_intact_log()
    {
        using var empty = new TempDirectory();
        var report = AuditLogBuilder.Verify(empty.Path, _signer);
        var problem = Assert.Single(report.Problems);
        Assert.Equal(AuditProblemKind.Empty, problem.Kind);
        Assert.Equal("0/0 envelopes valid, 1 problem, 0 files", report.Summary);
    }

    [Fact]
    public void An_emptied_newest_file_is_a_problem()
    {
        File.WriteAllBytes(_files[2], []);

        AssertProblem(Verify(), AuditProblemKind.Empty, _files[2], 1);
    }

    [Fact]
    public void A_file_whose_file_start_was_cut_is_misplaced()
    {
        var lines = Lines(_files[2]);
        lines.RemoveAt(0);
        Save(_files[2], lines);

        var report = Verify();
        AssertProblem(report, AuditProblemKind.Misplaced, _files[2], 1);
        AssertProblem(report, AuditProblemKind.BrokenChain, _files[2], 1);
    }

    [Fact]
    public void One_file_given_on_its_own_is_verified_from_its_own_first_line()
    {
        var report = AuditLogBuilder.Verify(_files[1], _signer);
        Assert.True(report.IsIntact, string.Join("\n", report.Problems));
        Assert.Equal("10/10 envelopes valid, chain intact, 1 file", report.Summary);

        var lines = Lines(_files[1]);
        lines.RemoveAt(4);
        Save(_files[1], lines);
        AssertProblem(AuditLogBuilder.Verify(_files[1], _signer), AuditProblemKind.BrokenChain, _files[1], 5);
    }

    [Fact]
    public void A_second_sig_member_on_the_last_line_is_caught_although_the_signature_verifies()
    {
        var lines = Lines(_files[2]);
        var i = lines[^1].IndexOf(",\"sig\":", StringComparison.Ordinal);
        var end = lines[^1].IndexOf('"', i + 8) + 1;
        lines[^1] = lines[^1][..end] + lines[^1][i..end] + lines[^1][end..];
        Save(_files[2], lines);

        var report = Verify();
        var problem = Assert.Single(report.Problems);
        Assert.Equal((AuditProblemKind.BadSignature, 11L), (problem.Kind, problem.Line));
        Assert.Contains("canonical", problem.Message);
    }

    [Fact]
    public void Another_spelling_of_the_same_signature_is_caught()
    {
        // A 64-byte signature ends in two data bits and four unused bits before "==": set one unused bit.
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        var lines = Lines(_files[2]);
        var at = lines[^1].IndexOf("==\"", StringComparison.Ordinal) - 1;
        var respelled = alphabet[alphabet.IndexOf(lines[^1][at], StringComparison.Ordinal) ^ 1];
        lines[^1] = lines[^1][..at] + respelled + lines[^1][(at + 1)..];
        Save(_files[2], lines);
        Assert.Equal(Convert.FromBase64String(Sig(Lines(_files[2])[^1])), Convert.FromBase64String(Sig(File.ReadAllLines(_files[2])[^1])));

        var problem = Assert.Single(Verify().Problems);
        Assert.Equal((AuditProblemKind.BadSignature, 11L), (problem.Kind, problem.Line));

        static string Sig(string line) => ((string)JsonNode.Parse(line)!["sig"]!)["ed25519:".Length..];
    }

    [Fact]
    public void Whitespace_added_to_the_last_line_is_caught()
    {
        var lines = Lines(_files[2]);
        lines[^1] = lines[^1].Replace(",\"v\":1}", ", \"v\":1}", StringComparison.Ordinal);
        Save(_files[2], lines);

        AssertProblem(Verify(), AuditProblemKind.BadSignature, _files[2], 11);
    }

    [Theory]
    [InlineData(9_000_000_000_000_000L)]
    [InlineData((1L << 27) - 1)]
    [InlineData(-3L)]
    public void A_forged_line_with_an_extreme_seq_is_reported_quickly(long seq)
    {
        var lines = Lines(_files[2]);
        var forged = JsonNode.Parse(lines[^1])!.AsObject();
        forged["seq"] = seq;
        lines.Add(forged.ToJsonString());
        lines.Add(lines[^2]); // and a genuine-looking line after it
        Save(_files[2], lines);

        var report = Verify().Problems;
        Assert.Contains(report, p => p.Kind == AuditProblemKind.BadSignature && p.Line == 12);
    }

    [Fact]
    public void A_log_far_from_seq_1_reports_gaps_and_duplicates_by_their_seq()
    {
        // Retention keeps a log that starts hundreds of millions of lines in: sequence numbers are tracked
        // from where it starts, not from 0.
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "audit-2026-03-01.ndjson");
        var builder = new AuditLineBuilder(_signer, new AuditChain(400_000_000, new string('a', 64)));
        var lines = new List<string> { Encoding.UTF8.GetString(builder.BuildRecord(AuditRecordKinds.FileStart, AuditLogBuilder.Day1, new JsonObject { ["file"] = "audit-2026-03-01.ndjson" })) };
        for (var i = 1; i <= 5; i++)
        {
            lines.Add(Encoding.UTF8.GetString(builder.BuildEnvelope(AuditLogBuilder.Envelope(i, AuditLogBuilder.Day1.AddMinutes(i)), sign: true)));
        }

        lines.RemoveAt(3); // seq 400000004
        lines.Add(lines[2]); // seq 400000003 again, at the end
        Save(file, lines);

        using var verifier = _signer.CreateVerifier();
        var report = new AuditLogVerifier(verifier).Verify(file);

        Assert.Contains(report.Problems, p => p.Kind == AuditProblemKind.Gap && p.Line == 4 && p.Message.Contains("seq 400000004..400000004", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Kind == AuditProblemKind.Duplicate && p.Line == 6 && p.Message.Contains("seq 400000003 ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Lines_are_judged_in_parallel_batches_but_reported_in_order()
    {
        using var dir = new TempDirectory();
        await using (var appender = AuditAppender.Open(new AuditAppenderOptions { Directory = dir.Path, Signer = _signer, TimeProvider = new ManualTimeProvider(AuditLogBuilder.Day1), RetentionDays = 0 }))
        {
            for (var i = 1; i <= 9000; i++)
            {
                appender.Enqueue(AuditLogBuilder.Envelope(i, AuditLogBuilder.Day1.AddSeconds(i)));
            }
        }

        var file = Assert.Single(AuditLogBuilder.Files(dir.Path));
        var lines = Lines(file);
        foreach (var at in new[] { 4096, 4097, 8191 })
        {
            lines[at - 1] = lines[at - 1].Replace("\"tenant\":\"demo\"", "\"tenant\":\"deno\"", StringComparison.Ordinal);
        }

        Save(file, lines);

        var report = AuditLogBuilder.Verify(dir.Path, _signer);
        Assert.Equal(
            [(4096L, AuditProblemKind.BadSignature), (4097, AuditProblemKind.BadSignature), (4097, AuditProblemKind.BrokenChain), (4098, AuditProblemKind.BrokenChain), (8191, AuditProblemKind.BadSignature), (8192, AuditProblemKind.BrokenChain)],
            report.Problems.Select(p => (p.Line, p.Kind)).OrderBy(p => p.Line).ThenBy(p => p.Kind).ToArray());
        Assert.Equal(9000 - 5, report.ValidEnvelopes); // three changed lines, and the two lines after them that no longer chain
    }

    [Fact]
    public void A_missing_path_says_what_was_expected()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => AuditLogBuilder.Verify(_dir.Combine("nope"), _signer));
        Assert.Contains("expected a directory of audit-YYYY-MM-DD.ndjson files", ex.Message);
    }
}

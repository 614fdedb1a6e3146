using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sec0.Audit;
using Sec0.Instrumentation.Tests.Support;
using Sec0.Signing;

namespace Sec0.Instrumentation.Tests.Audit;

/// <summary>
/// Logs written by Sec0's TypeScript SDK: every genuine line verifies (signed, unchained), every changed
/// line fails with a reason, and TypeScript lines never pass for part of a Sec0 for .NET chain.
/// </summary>
public sealed class TypeScriptAuditLogTests : IDisposable
{
    private readonly TempDirectory _dir = new("ts-audit");

    public void Dispose() => _dir.Dispose();

    private static AuditVerificationReport Verify(string path, string publicKey)
    {
        using var key = TypeScriptSdkFixtures.Key(publicKey);
        return new AuditLogVerifier(key).Verify(path);
    }

    /// <summary>A copy of a fixture's lines, as a day file in a folder of its own.</summary>
    private string WriteLog(string name, IEnumerable<string> lines, string day = "2026-12-06")
    {
        var folder = Path.Combine(_dir.Path, name);
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, $"audit-{day}.ndjson");
        File.WriteAllText(file, string.Join("\n", lines) + "\n");
        return folder;
    }

    private static AuditProblem OnlyProblem(AuditVerificationReport report)
    {
        Assert.False(report.IsIntact);
        return Assert.Single(report.Problems);
    }

    [Theory]
    [InlineData("appender-fixed-seed.ndjson")]
    [InlineData("middleware.ndjson")]
    [InlineData("middleware-empty-deny_on.ndjson")]
    [InlineData("hops.ndjson")]
    public void Every_line_the_typescript_sdk_wrote_verifies_as_signed_and_unchained(string fixture)
    {
        var (file, publicKey, lines) = TypeScriptSdkFixtures.Logs.Single(l => l.File == fixture);

        var report = Verify(TypeScriptSdkFixtures.PathOf(file), publicKey);

        Assert.True(report.IsIntact, string.Join("\n", report.Problems.Select(p => $"{p.Line}: {p.Message}")));
        Assert.Equal(lines, report.Envelopes);
        Assert.Equal(lines, report.ValidEnvelopes);
        Assert.Equal(lines, report.TypeScriptLines);
        var perFile = Assert.Single(report.TypeScriptFiles);
        Assert.Equal((file, (long)lines), (perFile.File, perFile.Lines));
        Assert.Equal($"{lines}/{lines} envelopes valid, {lines} signed, unchained (TypeScript SDK format), no problem found, 1 file", report.Summary);
    }

    [Fact]
    public void A_folder_of_typescript_day_files_verifies_and_counts_per_file()
    {
        var folder = WriteLog("days", TypeScriptSdkFixtures.Lines("middleware.ndjson"), "2026-12-05");
        File.WriteAllLines(Path.Combine(folder, "audit-2026-12-06.ndjson"), TypeScriptSdkFixtures.Lines("hops.ndjson"));

        var report = Verify(folder, TypeScriptSdkFixtures.Ed25519PublicKey);

        Assert.True(report.IsIntact);
        Assert.Equal(6, report.TypeScriptLines);
        Assert.Equal(
            [("audit-2026-12-05.ndjson", 2L), ("audit-2026-12-06.ndjson", 4L)],
            report.TypeScriptFiles.Select(f => (f.File, f.Lines)).ToArray());
        Assert.Equal("6/6 envelopes valid, 6 signed, unchained (TypeScript SDK format), no problem found, 2 files", report.Summary);
    }

    [Fact]
    public void A_changed_value_fails_its_signature_and_the_other_lines_still_verify()
    {
        var lines = TypeScriptSdkFixtures.Lines("hops.ndjson");
        Assert.Contains("\"latency_ms\":90,", lines[0], StringComparison.Ordinal);
        lines[0] = lines[0].Replace("\"latency_ms\":90,", "\"latency_ms\":9,", StringComparison.Ordinal);

        var report = Verify(WriteLog("changed", lines), TypeScriptSdkFixtures.Ed25519PublicKey);

        var problem = OnlyProblem(report);
        Assert.Equal((AuditProblemKind.BadSignature, 1L), (problem.Kind, problem.Line));
        Assert.StartsWith("bad signature (TypeScript SDK format): the signature does not verify with this public key", problem.Message, StringComparison.Ordinal);
        Assert.Equal(3, report.ValidEnvelopes);
        Assert.Equal(3, report.TypeScriptLines);
    }

    [Fact]
    public void Member_order_and_spacing_are_not_signed_so_a_reordered_line_still_verifies()
    {
        // The SDK signs the sorted form, not the bytes it writes: a line's layout is not covered (docs say so).
        var line = TypeScriptSdkFixtures.Lines("middleware.ndjson")[0];
        var reordered = new JsonObject(JsonNode.Parse(line)!.AsObject().Reverse().Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));

        var report = Verify(WriteLog("reordered", ["{ " + reordered.ToJsonString()[1..]]), TypeScriptSdkFixtures.Ed25519PublicKey);

        Assert.True(report.IsIntact, string.Join("\n", report.Problems.Select(p => p.Message)));
    }

    [Fact]
    public void A_removed_sig_is_reported_as_unsigned()
    {
        var lines = TypeScriptSdkFixtures.Lines("middleware.ndjson");
        var node = JsonNode.Parse(lines[1])!.AsObject();
        node.Remove("sig");
        lines[1] = node.ToJsonString();

        var problem = OnlyProblem(Verify(WriteLog("unsigned", lines), TypeScriptSdkFixtures.Ed25519PublicKey));

        Assert.Equal((AuditProblemKind.BadSignature, 2L), (problem.Kind, problem.Line));
        Assert.StartsWith("unsigned: a line without Sec0 for .NET's chain fields (v, seq, prev, key_id) and without a sig", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_signed_by_the_other_key_fails_and_says_the_key_may_differ()
    {
        // Re-sign a genuine hop line, exactly as the SDK would, with the fixed-seed key instead of ed25519.key.
        var lines = TypeScriptSdkFixtures.Lines("hops.ndjson");
        lines[2] = SignTheTypeScriptWay(lines[2], TypeScriptSdkFixtures.FixedSeedKeyFile);

        var problem = OnlyProblem(Verify(WriteLog("other-key", lines), TypeScriptSdkFixtures.Ed25519PublicKey));
        Assert.Equal((AuditProblemKind.BadSignature, 3L), (problem.Kind, problem.Line));
        Assert.Contains("signed by another key (TypeScript SDK lines do not name their key)", problem.Message, StringComparison.Ordinal);

        // The same line verifies with the key that did sign it: the signature is genuine, only the key differs.
        Assert.True(Verify(WriteLog("other-key-right-pub", [lines[2]]), TypeScriptSdkFixtures.FixedSeedPublicKey).IsIntact);
    }

    [Theory]
    [InlineData("\"sig\":42", "sig is not \"ed25519:\" followed by the base64 of a 64-byte signature")]
    [InlineData("\"sig\":\"ecdsa-p256:AAAA\"", "sig is not \"ed25519:\" followed by the base64 of a 64-byte signature")]
    [InlineData("\"sig\":\"ed25519:AAAA\"", "sig is not \"ed25519:\" followed by the base64 of a 64-byte signature")]
    public void A_sig_that_is_no_ed25519_signature_is_named(string sig, string reason)
    {
        var line = TypeScriptSdkFixtures.Lines("appender-fixed-seed.ndjson")[0];
        var at = line.IndexOf("\"sig\":", StringComparison.Ordinal);
        line = line[..at] + sig + "}";

        var problem = OnlyProblem(Verify(WriteLog("bad-sig", [line]), TypeScriptSdkFixtures.FixedSeedPublicKey));

        Assert.Equal(AuditProblemKind.BadSignature, problem.Kind);
        Assert.Equal("bad signature (TypeScript SDK format): " + reason + ": the line was altered", problem.Message);
    }

    [Fact]
    public void An_ecdsa_public_key_cannot_verify_typescript_lines_and_says_why()
    {
        using var signer = TestKeys.NewEcdsaSigner();
        using var key = signer.CreateVerifier();

        var report = new AuditLogVerifier(key).Verify(TypeScriptSdkFixtures.PathOf("middleware.ndjson"));

        Assert.Equal(2, report.Problems.Count);
        Assert.All(report.Problems, p => Assert.Equal("bad signature (TypeScript SDK format): the TypeScript SDK signs with Ed25519, but the public key given is an ecdsa-p256 key", p.Message));
    }

    [Fact]
    public async Task A_typescript_line_after_sec0_for_dotnet_lines_is_unchained_even_with_a_valid_signature()
    {
        // A Sec0 for .NET log signed with the same key the TypeScript SDK used (the key file carries over).
        using var signer = new Ed25519Signer(Convert.FromBase64String(TypeScriptSdkFixtures.Ed25519KeyFile));
        var folder = Path.Combine(_dir.Path, "dotnet-then-ts");
        await AuditLogBuilder.WriteDaysAsync(folder, signer, days: 1, perDay: 3);
        var file = AuditLogBuilder.Files(folder).Single();
        var dotNetLines = File.ReadAllLines(file);
        File.AppendAllLines(file, [TypeScriptSdkFixtures.Lines("middleware.ndjson")[0]]);

        var report = Verify(folder, TypeScriptSdkFixtures.Ed25519PublicKey);

        var problem = OnlyProblem(report);
        Assert.Equal((AuditProblemKind.Unchained, (long)dotNetLines.Length + 1), (problem.Kind, problem.Line));
        Assert.StartsWith("unchained: a signed line in the TypeScript SDK format after Sec0 for .NET lines", problem.Message, StringComparison.Ordinal);
        Assert.Equal(0, report.TypeScriptLines);
        Assert.Equal(3, report.ValidEnvelopes); // the .NET chain itself is intact
    }

    [Fact]
    public async Task A_typescript_line_between_dotnet_lines_does_not_break_their_chain_but_is_reported()
    {
        using var signer = new Ed25519Signer(Convert.FromBase64String(TypeScriptSdkFixtures.Ed25519KeyFile));
        var folder = Path.Combine(_dir.Path, "interleaved");
        await AuditLogBuilder.WriteDaysAsync(folder, signer, days: 1, perDay: 3);
        var file = AuditLogBuilder.Files(folder).Single();
        var lines = File.ReadAllLines(file).ToList();
        lines.Insert(2, TypeScriptSdkFixtures.Lines("hops.ndjson")[1]);
        File.WriteAllLines(file, lines);

        var problem = OnlyProblem(Verify(folder, TypeScriptSdkFixtures.Ed25519PublicKey));

        Assert.Equal((AuditProblemKind.Unchained, 3L), (problem.Kind, problem.Line));
    }

    [Fact]
    public async Task Typescript_day_files_before_a_sec0_for_dotnet_log_verify_with_it()
    {
        using var signer = new Ed25519Signer(Convert.FromBase64String(TypeScriptSdkFixtures.Ed25519KeyFile));
        var folder = Path.Combine(_dir.Path, "migrated");
        await AuditLogBuilder.WriteDaysAsync(folder, signer, days: 1, perDay: 3); // 2026-03-01
        File.WriteAllLines(Path.Combine(folder, "audit-2026-02-28.ndjson"), TypeScriptSdkFixtures.Lines("hops.ndjson"));

        var report = Verify(folder, TypeScriptSdkFixtures.Ed25519PublicKey);

        Assert.True(report.IsIntact, string.Join("\n", report.Problems.Select(p => p.Message)));
        Assert.Equal(7, report.ValidEnvelopes);
        Assert.Equal(4, report.TypeScriptLines);
        Assert.Equal("7/7 envelopes valid, 4 signed, unchained (TypeScript SDK format), chain intact, 2 files", report.Summary);
    }

    [Fact]
    public async Task Sec0_for_dotnet_lines_after_typescript_lines_in_one_file_are_misplaced()
    {
        using var signer = new Ed25519Signer(Convert.FromBase64String(TypeScriptSdkFixtures.Ed25519KeyFile));
        var folder = Path.Combine(_dir.Path, "ts-then-dotnet");
        await AuditLogBuilder.WriteDaysAsync(folder, signer, days: 1, perDay: 2);
        var file = AuditLogBuilder.Files(folder).Single();
        File.WriteAllLines(file, [.. TypeScriptSdkFixtures.Lines("middleware.ndjson"), .. File.ReadAllLines(file)]);

        var problem = OnlyProblem(Verify(folder, TypeScriptSdkFixtures.Ed25519PublicKey));

        Assert.Equal((AuditProblemKind.Misplaced, 3L), (problem.Kind, problem.Line));
        Assert.Contains("after TypeScript SDK lines", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_with_a_proto_member_is_not_vouched_for()
    {
        // JSON.stringify in the SDK drops "__proto__" from what it signs: such a member could say anything.
        var line = TypeScriptSdkFixtures.Lines("appender-fixed-seed.ndjson")[0].Replace("\"agentVariables\":{", "\"agentVariables\":{\"__proto__\":{\"admin\":true},", StringComparison.Ordinal);

        var problem = OnlyProblem(Verify(WriteLog("proto", [line]), TypeScriptSdkFixtures.FixedSeedPublicKey));

        Assert.Equal(AuditProblemKind.Malformed, problem.Kind);
        Assert.Contains("__proto__", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_json_object_that_is_neither_format_is_still_reported()
    {
        var problem = OnlyProblem(Verify(WriteLog("neither", ["{\"hello\":\"world\"}"]), TypeScriptSdkFixtures.Ed25519PublicKey));
        Assert.Equal(AuditProblemKind.BadSignature, problem.Kind);

        // Some chain fields but not seq/prev: a damaged Sec0 for .NET line, as before.
        problem = OnlyProblem(Verify(WriteLog("half-dotnet", ["{\"v\":1,\"tenant\":\"demo\",\"sig\":\"ed25519:AAAA\"}"]), TypeScriptSdkFixtures.Ed25519PublicKey));
        Assert.Equal(AuditProblemKind.Malformed, problem.Kind);
        Assert.Equal("not a Sec0 audit record (no seq or prev)", problem.Message);
    }

    private static string SignTheTypeScriptWay(string line, string seedBase64)
    {
        var node = JsonNode.Parse(line)!.AsObject();
        node.Remove("sig");
        using var document = JsonDocument.Parse(node.ToJsonString());
        var signed = new ArrayBufferWriter<byte>();
        JsonCanonicalizer.WriteElement(document.RootElement, signed, null, JsonMemberOrder.JavaScript);
        using var signer = new Ed25519Signer(Convert.FromBase64String(seedBase64));
        var signature = new byte[signer.SignatureSize];
        signer.Sign(signed.WrittenSpan, signature);
        node["sig"] = "ed25519:" + Convert.ToBase64String(signature);
        return node.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}

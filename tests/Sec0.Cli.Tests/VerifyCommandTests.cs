using Sec0.Cli.Tests.Infrastructure;
using Sec0.Signing;

namespace Sec0.Cli.Tests;

public sealed class VerifyCommandTests : IDisposable
{
    private const int EnvelopeCount = 5;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<(string LogDirectory, string PublicKeyPath, AuditSigner Signer)> WriteLogAsync(SigningAlgorithm algorithm = SigningAlgorithm.Ed25519)
    {
        string keyPath = _temp.Combine("keys", "signing.key");
        AuditSigner signer = SigningKeyFile.Create(keyPath, algorithm);
        File.WriteAllText(keyPath + ".pub", signer.PublicKeyPem);
        string logDirectory = _temp.Combine("audit");
        await AuditLogFixture.WriteAsync(logDirectory, signer, EnvelopeCount);
        return (logDirectory, keyPath + ".pub", signer);
    }

    [Fact]
    public async Task An_intact_log_prints_exactly_the_summary_and_exits_0()
    {
        var (logDirectory, publicKeyPath, signer) = await WriteLogAsync();
        using (signer)
        {
            CliRun run = CliRun.InProcess("verify", logDirectory, "--pub", publicKeyPath);

            Assert.Equal("", run.Error);
            Assert.Equal($"{EnvelopeCount}/{EnvelopeCount} envelopes valid, chain intact, 1 file\n", run.Out);
            Assert.Equal(ExitCodes.Success, run.ExitCode);
        }
    }

    [Fact]
    public async Task Several_logs_are_verified_one_by_one_and_a_tampered_one_fails_the_run()
    {
        // Three gateway replicas sharing one signing key, each with its own log and chain.
        var (first, publicKeyPath, signer) = await WriteLogAsync();
        string second = _temp.Combine("replica-2", "audit");
        string third = _temp.Combine("replica-3", "audit");
        await AuditLogFixture.WriteAsync(second, signer, 3);
        await AuditLogFixture.WriteAsync(third, signer, 4);
        signer.Dispose();

        CliRun intact = CliRun.InProcess("verify", first, second, third, "--pub", publicKeyPath);

        Assert.Equal(ExitCodes.Success, intact.ExitCode);
        Assert.Equal("", intact.Error);
        Assert.Equal(
            $"{first}: {EnvelopeCount}/{EnvelopeCount} envelopes valid, chain intact, 1 file\n" +
            $"{second}: 3/3 envelopes valid, chain intact, 1 file\n" +
            $"{third}: 4/4 envelopes valid, chain intact, 1 file\n" +
            "3 logs, all intact\n",
            intact.Out);

        string file = AuditLogFixture.SingleFile(second);
        AuditLogFixture.FlipByteInLine(file, 2);
        CliRun tampered = CliRun.InProcess("verify", first, second, third, "--pub", publicKeyPath);

        Assert.Equal(ExitCodes.Failure, tampered.ExitCode);
        string[] lines = tampered.Out.TrimEnd('\n').Split('\n');
        Assert.StartsWith($"{file}:2: ", lines[1], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith($"{second}: ", StringComparison.Ordinal) && l.Contains("problem", StringComparison.Ordinal));
        Assert.Equal($"{third}: 4/4 envelopes valid, chain intact, 1 file", lines[^2]);
        Assert.Equal("3 logs, 1 not intact", lines[^1]);
    }

    [Fact]
    public async Task Several_logs_with_one_missing_or_an_expected_head_are_usage_errors()
    {
        var (logDirectory, publicKeyPath, signer) = await WriteLogAsync();
        signer.Dispose();

        CliRun missing = CliRun.InProcess("verify", logDirectory, _temp.Combine("nowhere"), "--pub", publicKeyPath);
        CliRun head = CliRun.InProcess("verify", logDirectory, logDirectory, "--pub", publicKeyPath, "--expect-head", "1:" + new string('a', 64));

        Assert.Equal(ExitCodes.UsageError, missing.ExitCode);
        Assert.Equal("", missing.Out);
        Assert.StartsWith($"[sec0] No audit log at \"{_temp.Combine("nowhere")}\"", missing.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.UsageError, head.ExitCode);
        Assert.Equal("", head.Out);
        Assert.Contains("--expect-head names the end of one log", head.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ecdsa_signed_single_file_verifies()
    {
        var (logDirectory, publicKeyPath, signer) = await WriteLogAsync(SigningAlgorithm.EcdsaP256);
        using (signer)
        {
            CliRun run = CliRun.InProcess("verify", AuditLogFixture.SingleFile(logDirectory), "--pub", publicKeyPath);

            Assert.Equal($"{EnvelopeCount}/{EnvelopeCount} envelopes valid, chain intact, 1 file\n", run.Out);
            Assert.Equal(ExitCodes.Success, run.ExitCode);
        }
    }

    public enum PublicKeyForm { File, PemText, RawBase64 }

    [Theory]
    [InlineData(PublicKeyForm.File)]
    [InlineData(PublicKeyForm.PemText)]
    [InlineData(PublicKeyForm.RawBase64)]
    public async Task The_public_key_may_be_a_file_pem_text_or_raw_base64(PublicKeyForm form)
    {
        var (logDirectory, publicKeyPath, signer) = await WriteLogAsync();
        using (signer)
        {
            string pub = form switch
            {
                PublicKeyForm.File => publicKeyPath,
                PublicKeyForm.PemText => signer.PublicKeyPem,
                _ => Convert.ToBase64String(signer.PublicKey.Span),
            };

            CliRun run = CliRun.InProcess("verify", logDirectory, "--pub", pub);

            Assert.Equal($"{EnvelopeCount}/{EnvelopeCount} envelopes valid, chain intact, 1 file\n", run.Out);
            Assert.Equal(ExitCodes.Success, run.ExitCode);
        }
    }

    [Fact]
    public async Task A_flipped_byte_is_reported_as_file_and_line_and_exits_1()
    {
        var (logDirectory, publicKeyPath, signer) = await WriteLogAsync();
        signer.Dispose();
        string file = AuditLogFixture.SingleFile(logDirectory);
        AuditLogFixture.FlipByteInLine(file, 3);

        CliRun run = CliRun.InProcess("verify", logDirectory, "--pub", publicKeyPath);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        string[] lines = run.Out.TrimEnd('\n').Split('\n');
        Assert.StartsWith($"{file}:3: ", lines[0], StringComparison.Ordinal);
        Assert.Contains("signature", lines[0], StringComparison.OrdinalIgnoreCase);
        Assert.Matches(@"^\d+/5 envelopes valid, \d+ problems?, 1 file$", lines[^1]);
        Assert.All(lines[..^1], line => Assert.Matches(@"^.+\.ndjson:\d+: .+$", line));
    }

    [Fact]
    public async Task An_invalid_utf8_byte_is_one_problem_on_its_line_not_a_crash()
    {
        var (logDirectory, publicKeyPath, signer) = await WriteLogAsync();
        signer.Dispose();
        string file = AuditLogFixture.SingleFile(logDirectory);
        byte[] bytes = File.ReadAllBytes(file);
        int line3 = bytes.AsSpan().IndexOf((byte)'\n') + 1;
        line3 += bytes.AsSpan(line3).IndexOf((byte)'\n') + 1;
        int at = line3 + bytes.AsSpan(line3).IndexOf("OrderAgent"u8);
        bytes[at] = 0xC3; // a lead byte without its continuation
        File.WriteAllBytes(file, bytes);

        CliRun run = CliRun.InProcess("verify", logDirectory, "--pub", publicKeyPath);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal("", run.Error);
        string[] lines = run.Out.TrimEnd('\n').Split('\n');
        Assert.StartsWith($"{file}:3: not a valid audit record: ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith($"{file}:4: broken chain", lines[1], StringComparison.Ordinal);
        Assert.Equal("3/5 envelopes valid, 2 problems, 1 file", lines[^1]); // line 4 no longer chains
    }

    [Fact]
    public async Task Countless_bad_lines_list_the_first_problems_and_count_the_rest()
    {
        var (logDirectory, publicKeyPath, signer) = await WriteLogAsync();
        signer.Dispose();
        string file = AuditLogFixture.SingleFile(logDirectory);
        File.AppendAllText(file, new string('\n', Sec0.Audit.AuditLogVerifier.MaxListedProblems + 7));

        CliRun run = CliRun.InProcess("verify", logDirectory, "--pub", publicKeyPath);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        string[] lines = run.Out.TrimEnd('\n').Split('\n');
        Assert.Equal(Sec0.Audit.AuditLogVerifier.MaxListedProblems + 2, lines.Length);
        Assert.Equal($"{logDirectory}: 7 more problem(s) not listed (only the first {Sec0.Audit.AuditLogVerifier.MaxListedProblems} are)", lines[^2]);
        Assert.EndsWith($", {Sec0.Audit.AuditLogVerifier.MaxListedProblems + 7} problems, 1 file", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_wrong_public_key_reports_an_unknown_key_and_exits_1()
    {
        var (logDirectory, _, signer) = await WriteLogAsync();
        signer.Dispose();
        using AuditSigner other = SigningKeyFile.Create(_temp.Combine("keys", "other.key"), SigningAlgorithm.Ed25519);

        CliRun run = CliRun.InProcess("verify", logDirectory, "--pub", other.PublicKeyPem);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains($":2: signed by an unknown key {signer.KeyId}; expected {other.KeyId}\n", run.Out, StringComparison.Ordinal);
        Assert.StartsWith("0/5 envelopes valid, ", run.Out.TrimEnd('\n').Split('\n')[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_log_is_a_usage_error()
    {
        using AuditSigner signer = SigningKeyFile.Create(_temp.Combine("keys", "k"), SigningAlgorithm.Ed25519);

        CliRun run = CliRun.InProcess("verify", _temp.Combine("nowhere"), "--pub", signer.PublicKeyPem);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Equal("", run.Out);
        Assert.StartsWith($"[sec0] No audit log at \"{_temp.Combine("nowhere")}\"", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unusable_public_key_is_a_usage_error()
    {
        var (logDirectory, _, signer) = await WriteLogAsync();
        signer.Dispose();
        string missingKey = _temp.Combine("keys", "missing.pub");

        CliRun run = CliRun.InProcess("verify", logDirectory, "--pub", missingKey);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Equal("", run.Out);
        Assert.StartsWith("[sec0-signer] Public key must be", run.Error, StringComparison.Ordinal);
        Assert.Contains($"found no file at {missingKey}", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_arguments_are_usage_errors()
    {
        CliRun noPub = CliRun.InProcess("verify", _temp.Path);
        CliRun noPath = CliRun.InProcess("verify", "--pub", "x");

        Assert.Equal(ExitCodes.UsageError, noPub.ExitCode);
        Assert.Contains("--pub", noPub.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.UsageError, noPath.ExitCode);
        Assert.Contains("'path'", noPath.Error, StringComparison.Ordinal);
        Assert.Contains("Run 'sec0 verify --help' for usage.", noPath.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Child_process_with_redirected_output_prints_only_the_summary()
    {
        var (logDirectory, publicKeyPath, signer) = await WriteLogAsync();
        signer.Dispose();

        CliRun run = CliRun.ChildProcess(_temp.Path, "verify", logDirectory, "--pub", publicKeyPath);

        // No progress bar, no escape sequences, no carriage returns: exactly the summary line.
        Assert.Equal($"{EnvelopeCount}/{EnvelopeCount} envelopes valid, chain intact, 1 file\n", run.Out);
        Assert.Equal("", run.Error);
        Assert.Equal(ExitCodes.Success, run.ExitCode);
    }

    [Fact]
    public async Task Child_process_on_a_tampered_log_exits_1()
    {
        var (logDirectory, publicKeyPath, signer) = await WriteLogAsync();
        signer.Dispose();
        string file = AuditLogFixture.SingleFile(logDirectory);
        AuditLogFixture.FlipByteInLine(file, 4);

        CliRun run = CliRun.ChildProcess(_temp.Path, "verify", "audit", "--pub", publicKeyPath);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.StartsWith($"audit{Path.DirectorySeparatorChar}{Path.GetFileName(file)}:4: ", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', run.Out);
    }
}

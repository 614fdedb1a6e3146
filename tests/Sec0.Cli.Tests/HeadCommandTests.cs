using Sec0.Audit;
using Sec0.Cli.Tests.Infrastructure;
using Sec0.Signing;

namespace Sec0.Cli.Tests;

/// <summary><c>sec0 head</c> and <c>sec0 verify --expect-head</c>: a head kept elsewhere catches what the folder alone cannot.</summary>
public sealed class HeadCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<(string LogDirectory, string PublicKey)> WriteLogAsync(int count = 6)
    {
        using AuditSigner signer = SigningKeyFile.Create(_temp.Combine("keys", "signing.key"), SigningAlgorithm.Ed25519);
        string logDirectory = _temp.Combine("audit");
        await AuditLogFixture.WriteAsync(logDirectory, signer, count);
        return (logDirectory, signer.PublicKeyPem);
    }

    [Fact]
    public async Task Head_prints_seq_and_hash_of_the_last_line_and_verify_accepts_it()
    {
        var (logDirectory, publicKey) = await WriteLogAsync();

        CliRun head = CliRun.InProcess("head", logDirectory);

        Assert.Equal(ExitCodes.Success, head.ExitCode);
        Assert.Matches("^7:[0-9a-f]{64}\n$", head.Out);
        Assert.Equal("", head.Error);
        CliRun verify = CliRun.InProcess("verify", logDirectory, "--pub", publicKey, "--expect-head", head.Out.Trim());
        Assert.Equal(ExitCodes.Success, verify.ExitCode);
        Assert.Equal("6/6 envelopes valid, chain intact, 1 file\n", verify.Out);
    }

    [Fact]
    public async Task Verify_with_an_expected_head_reports_a_cut_tail_as_file_and_line()
    {
        var (logDirectory, publicKey) = await WriteLogAsync();
        string expected = CliRun.InProcess("head", logDirectory).Out.Trim();
        string file = AuditLogFixture.SingleFile(logDirectory);
        string[] lines = File.ReadAllLines(file);
        File.WriteAllText(file, string.Join('\n', lines[..^2]) + "\n");
        Assert.Equal(ExitCodes.Success, CliRun.InProcess("verify", logDirectory, "--pub", publicKey).ExitCode);

        CliRun run = CliRun.InProcess("verify", logDirectory, "--pub", publicKey, "--expect-head", expected);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.StartsWith($"{file}:5: tail cut: the log ends at seq 5, before the expected head seq 7", run.Out, StringComparison.Ordinal);

        // head itself says where the log ends now, and that the writer's head file disagrees.
        CliRun head = CliRun.InProcess("head", logDirectory);
        Assert.StartsWith("5:", head.Out, StringComparison.Ordinal);
        Assert.Contains($"note: the writer's head file ({AuditHead.FileName}) says {expected}", head.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("7")]
    [InlineData("seven:abc")]
    [InlineData("7:XYZ")]
    public async Task A_malformed_expected_head_is_a_usage_error(string text)
    {
        var (logDirectory, publicKey) = await WriteLogAsync();

        CliRun run = CliRun.InProcess("verify", logDirectory, "--pub", publicKey, "--expect-head", text);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Equal("", run.Out);
        Assert.StartsWith($"[sec0] --expect-head \"{text}\" is not an audit head", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Head_of_a_missing_or_empty_log_says_so()
    {
        CliRun missing = CliRun.InProcess("head", _temp.Combine("nowhere"));
        Directory.CreateDirectory(_temp.Combine("empty"));
        CliRun empty = CliRun.InProcess("head", _temp.Combine("empty"));

        Assert.Equal(ExitCodes.UsageError, missing.ExitCode);
        Assert.StartsWith("[sec0] No audit log at", missing.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failure, empty.ExitCode);
        Assert.Contains("has no complete line", empty.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_of_an_empty_folder_exits_1_and_says_there_is_nothing()
    {
        using AuditSigner signer = SigningKeyFile.Create(_temp.Combine("keys", "k"), SigningAlgorithm.Ed25519);
        string folder = _temp.Combine("empty");
        Directory.CreateDirectory(folder);

        CliRun run = CliRun.InProcess("verify", folder, "--pub", signer.PublicKeyPem);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.StartsWith($"{folder}: empty: no audit-YYYY-MM-DD.ndjson file here", run.Out, StringComparison.Ordinal);
        Assert.EndsWith("0/0 envelopes valid, 1 problem, 0 files\n", run.Out, StringComparison.Ordinal);
    }
}

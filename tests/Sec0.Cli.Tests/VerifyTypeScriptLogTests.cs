using Sec0.Cli.Tests.Infrastructure;

namespace Sec0.Cli.Tests;

/// <summary>
/// <c>sec0 verify</c> on logs written by Sec0's TypeScript SDK (tests/Fixtures/TypeScriptSdk): intact logs exit
/// 0 and say their lines are signed but unchained, a changed line exits 1 with its file and line.
/// </summary>
public sealed class VerifyTypeScriptLogTests : IDisposable
{
    // fixtures/KEYS.txt: the public key of ed25519.key, which signed the middleware and hop logs.
    private const string PublicKey = "hYCQJelfQffo3LZMX9UceVEqTJOS/f0jgpoRpcKsMf0=";

    private const string Unchained = "line(s) signed, unchained (TypeScript SDK format): every signature verifies, but this format has no chain, so lines removed, reordered or copied in from elsewhere cannot be detected";

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string[] Fixture(string file) => File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "TypeScriptSdk", file));

    /// <summary>A folder holding the middleware log as 2026-12-05 and the hop log as 2026-12-06, as the SDK names them.</summary>
    private string WriteTypeScriptLog()
    {
        string folder = _temp.Combine("ts-audit");
        Directory.CreateDirectory(folder);
        File.WriteAllLines(Path.Combine(folder, "audit-2026-12-05.ndjson"), Fixture("middleware.ndjson"));
        File.WriteAllLines(Path.Combine(folder, "audit-2026-12-06.ndjson"), Fixture("hops.ndjson"));
        return folder;
    }

    [Fact]
    public void A_typescript_log_verifies_with_one_line_per_file_and_exits_0()
    {
        string folder = WriteTypeScriptLog();

        CliRun run = CliRun.InProcess("verify", folder, "--pub", PublicKey);

        Assert.Equal("", run.Error);
        Assert.Equal(
            $"{Path.Join(folder, "audit-2026-12-05.ndjson")}: 2 {Unchained}\n" +
            $"{Path.Join(folder, "audit-2026-12-06.ndjson")}: 4 {Unchained}\n" +
            "6/6 envelopes valid, 6 signed, unchained (TypeScript SDK format), no problem found, 2 files\n",
            run.Out);
        Assert.Equal(ExitCodes.Success, run.ExitCode);
    }

    [Fact]
    public void A_changed_typescript_line_is_reported_by_file_and_line_and_exits_1()
    {
        string folder = WriteTypeScriptLog();
        string file = Path.Join(folder, "audit-2026-12-06.ndjson");
        string[] lines = File.ReadAllLines(file);
        lines[1] = lines[1].Replace("\"status\":\"error\"", "\"status\":\"ok\"", StringComparison.Ordinal);
        File.WriteAllLines(file, lines);

        CliRun run = CliRun.InProcess("verify", folder, "--pub", PublicKey);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal(
            $"{Path.Join(folder, "audit-2026-12-05.ndjson")}: 2 {Unchained}\n" +
            $"{file}: 3 {Unchained}\n" +
            $"{file}:2: bad signature (TypeScript SDK format): the signature does not verify with this public key: the line was changed after it was signed, or forged, or signed by another key (TypeScript SDK lines do not name their key)\n" +
            "5/6 envelopes valid, 5 signed, unchained (TypeScript SDK format), 1 problem, 2 files\n",
            run.Out);
    }

    [Fact]
    public void One_typescript_file_given_on_its_own_is_named_as_given()
    {
        string file = Path.Join(WriteTypeScriptLog(), "audit-2026-12-05.ndjson");

        CliRun run = CliRun.InProcess("verify", file, "--pub", PublicKey);

        Assert.Equal($"{file}: 2 {Unchained}\n2/2 envelopes valid, 2 signed, unchained (TypeScript SDK format), no problem found, 1 file\n", run.Out);
        Assert.Equal(ExitCodes.Success, run.ExitCode);
    }
}

using System.Text.RegularExpressions;

namespace Sec0.Package.Tests;

/// <summary>
/// samples/Quickstart as a fresh clone runs it: a folder with the root sec0.config.yaml and no .sec0,
/// so the run has to create the key, write the audit log and verify it.
/// </summary>
public sealed partial class QuickstartTests : IDisposable
{
    private readonly TempDirectory _dir = new("quickstart");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task From_a_folder_without_a_key_it_creates_one_and_verifies_the_log_it_wrote()
    {
        File.Copy(RepositoryPaths.QuickstartConfig, _dir.Combine("sec0.config.yaml"));
        File.Copy(RepositoryPaths.QuickstartPolicy, _dir.Combine("policy.yaml"));

        var run = await DotnetCli.RunAsync(_dir.Path, Path.Combine(AppContext.BaseDirectory, "Quickstart.dll"));

        Assert.True(run.ExitCode == 0, run.ToString());
        // The config in the current folder wins over the copy beside the binary.
        Assert.Contains($"config: {_dir.Combine("sec0.config.yaml")}", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("research: ", run.StandardOutput, StringComparison.Ordinal);

        // The payment agent is denied by its enforcement block before its body runs.
        Assert.Contains("denied: tool_not_in_allowlist", run.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("payment: charged", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"audit directory: {_dir.Combine(".sec0", "logs")}", run.StandardOutput, StringComparison.Ordinal);
        Assert.Matches(AuditFileLine(), run.StandardOutput);
        var summary = VerifySummaryLine().Match(run.StandardOutput);
        Assert.True(summary.Success, run.ToString());
        Assert.Equal(summary.Groups["valid"].Value, summary.Groups["total"].Value);
        Assert.True(int.Parse(summary.Groups["total"].Value, System.Globalization.CultureInfo.InvariantCulture) == 3, run.ToString()); // orchestrator, research, the payment denial

        // It ends by drawing its run, as `sec0 trace .sec0/logs` does: the orchestrator over its two agents, the denial marked.
        var tree = RunTree().Match(run.StandardOutput);
        Assert.True(tree.Success, run.ToString());
        Assert.Equal(run.StandardOutput.Length, tree.Index + tree.Length);

        var key = _dir.Combine(".sec0", "keys", "ed25519.key");
        Assert.True(File.Exists(key), run.ToString());
        if (!OperatingSystem.IsWindows())
        {
            // Windows has no Unix file modes; everywhere else the private key is readable by its owner only.
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        }
    }

    [GeneratedRegex(@"^  audit-\d{4}-\d{2}-\d{2}\.ndjson: \d+ lines$", RegexOptions.Multiline)]
    private static partial Regex AuditFileLine();

    [GeneratedRegex("""
        ^run\ [0-9a-f]{32}\ ·\ \d{4}-\d\d-\d\d\ \d\d:\d\d:\d\d\.\d{3}Z\ ·\ 3\ calls\ ·\ 1\ denied\r?\n
        └─\ orchestrator\ demo-agents@1\.0\.0\ \(Workflow\.Orchestrate\)\ ·\ allow\ ·\ ok\ ·\ \d+(\.\d)?\ ms\r?\n
        \ \ \ ├─\ agent\ research-agent@1\.0\.0\ \(ResearchAgent\.Run\)\ ·\ allow\ ·\ ok\ ·\ \d+(\.\d)?\ ms\r?\n
        \ \ \ └─\ agent\ payment-agent@1\.0\.0\ \(PaymentAgent\.Charge\)\ ·\ deny\ ·\ error\ ·\ \d+(\.\d)?\ ms\ \ ✗\ denied:\ tool_not_in_allowlist\r?\n
        """, RegexOptions.Multiline | RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex RunTree();

    [GeneratedRegex(@"^verify: (?<valid>\d+)/(?<total>\d+) envelopes valid, chain intact, 1 file$", RegexOptions.Multiline)]
    private static partial Regex VerifySummaryLine();
}

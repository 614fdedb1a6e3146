using Sec0.Cli.Tests.Infrastructure;

namespace Sec0.Cli.Tests;

public sealed class PolicyCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_valid_policy_prints_what_it_enforces_and_exits_0()
    {
        var path = _dir.Combine("policy.yaml");
        File.WriteAllText(path, """
            tenant: demo
            default_retention: 30d
            signing: { enabled: true, key_ref: file://./.sec0/keys/ed25519.key }
            tools: { allowlist: ["*"] }
            enforcement: { deny_on: [] }
            """);

        var run = CliRun.InProcess("policy", "check", path);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("tenant", run.Out, StringComparison.Ordinal);
        Assert.Equal("", run.Error);
    }

    [Fact]
    public void Every_problem_is_printed_with_path_and_line_and_exits_1()
    {
        var path = _dir.Combine("policy.yaml");
        File.WriteAllText(path, """
            tenant: demo
            enforcement:
              deny_on: [foo, tool_not_in_allowlist]
              stratgy: deny_on_any
            """);

        var run = CliRun.InProcess("policy", "check", path);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("enforcement.deny_on[0] (line 3): \"foo\" is not a known reason", run.Error, StringComparison.Ordinal);
        Assert.Contains("(line 4)", run.Error, StringComparison.Ordinal);
        Assert.Contains("strategy", run.Error, StringComparison.Ordinal);
    }
}

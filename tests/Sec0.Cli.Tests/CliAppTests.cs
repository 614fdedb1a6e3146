using Sec0.Cli.Tests.Infrastructure;

namespace Sec0.Cli.Tests;

public sealed class CliAppTests
{
    [Fact]
    public void Help_lists_every_command_with_its_description()
    {
        CliRun run = CliRun.InProcess("--help");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Matches(@"keygen\s+Generate a signing key", run.Out);
        Assert.Matches(@"verify <path>\s+Verify every signature", run.Out);
        Assert.Matches(@"hops <assembly>\s+List the hops", run.Out);
    }

    [Fact]
    public void No_command_or_an_unknown_one_is_a_usage_error()
    {
        CliRun none = CliRun.InProcess();
        CliRun unknown = CliRun.InProcess("frobnicate");

        Assert.Equal(ExitCodes.UsageError, none.ExitCode);
        Assert.Contains("Run 'sec0 --help' for usage.", none.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.UsageError, unknown.ExitCode);
        Assert.Contains("frobnicate", unknown.Error, StringComparison.Ordinal);
    }
}

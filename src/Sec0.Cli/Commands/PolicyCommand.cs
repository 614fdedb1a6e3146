using System.CommandLine;
using Sec0.Policy;

namespace Sec0.Cli.Commands;

/// <summary>
/// <c>sec0 policy check &lt;policy.yaml&gt;</c>: for CI pipelines. Every problem with its YAML path and
/// line and exit code 1, or a short summary of what the policy enforces and exit code 0.
/// </summary>
internal static class PolicyCommand
{
    public static Command Create(CommandRunner runner)
    {
        Argument<string> file = new("policy")
        {
            Description = "The policy file to check.",
        };
        Command check = new("check", "Validate a policy file: every problem with its path and line (exit 1), or a summary of what it enforces (exit 0).")
        {
            file,
        };
        check.SetAction(parseResult => runner.Run(parseResult, "policy check", () => Check(runner.Context, parseResult.GetValue(file)!)));
        return new Command("policy", "Work with policy files.") { check };
    }

    private static int Check(CliContext context, string path)
    {
        var result = PolicyCheck.Run(path);
        if (result.Ok)
        {
            context.Out.WriteLine(result.Summary);
            return ExitCodes.Success;
        }

        foreach (var problem in result.Problems)
        {
            context.Error.WriteLine(problem.ToString());
        }

        context.Error.WriteLine(result.Summary);
        return ExitCodes.Failure;
    }
}

using System.CommandLine;
using System.CommandLine.Invocation;
using Sec0.Cli.Commands;

namespace Sec0.Cli;

/// <summary>
/// Builds the <c>sec0</c> root command and runs it. Every path through here returns an exit code from
/// <see cref="ExitCodes"/>; nothing throws to the caller.
/// </summary>
public static class CliApp
{
    /// <summary>Runs <c>sec0</c> with <paramref name="args"/>, writing to the given writers, without progress display.</summary>
    /// <returns>The exit code.</returns>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
        => Run(args, new CliContext(stdout, stderr, IsTerminal: false));

    /// <summary>Runs <c>sec0</c> with <paramref name="args"/> in <paramref name="context"/>.</summary>
    /// <returns>The exit code.</returns>
    public static int Run(string[] args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        RootCommand root = CreateRootCommand(context);
        ParseResult parseResult = root.Parse(args);
        if (parseResult.Action is ParseErrorAction)
        {
            // System.CommandLine exits 1 on parse errors; 1 means "verification failed" here, so usage errors
            // get their own code and a pointer to the right help.
            foreach (var error in parseResult.Errors)
            {
                context.Error.WriteLine($"sec0: {error.Message}");
            }

            string commandPath = parseResult.CommandResult.Command == root ? "sec0" : $"sec0 {parseResult.CommandResult.Command.Name}";
            context.Error.WriteLine($"Run '{commandPath} --help' for usage.");
            return ExitCodes.UsageError;
        }

        InvocationConfiguration invocation = new()
        {
            Output = context.Out,
            Error = context.Error,
            // CommandRunner handles every exception itself, with the exit codes above.
            EnableDefaultExceptionHandler = false,
        };
        return parseResult.Invoke(invocation);
    }

    /// <summary>The root command with every subcommand, writing to <paramref name="context"/>.</summary>
    internal static RootCommand CreateRootCommand(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Option<bool> verbose = new("--verbose")
        {
            Description = "Show stack traces of unexpected errors.",
            Recursive = true,
        };
        CommandRunner runner = new(context, verbose);
        RootCommand root = new("Sec0 for .NET: generate signing keys, verify signed audit logs, draw agent runs, list an assembly's hops, check policies.")
        {
            verbose,
            KeygenCommand.Create(runner),
            VerifyCommand.Create(runner),
            HeadCommand.Create(runner),
            TraceCommand.Create(runner),
            HopsCommand.Create(runner),
            PolicyCommand.Create(runner),
            ApprovalsCommand.Create(runner),
        };
        return root;
    }
}

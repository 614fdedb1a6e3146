using System.CommandLine;

namespace Sec0.Cli;

/// <summary>
/// Runs a command's body and turns what escapes it into an exit code: a <see cref="Sec0Exception"/>'s
/// message is written as it is (it is written for users), anything else as one short line, with the
/// stack trace only under <c>--verbose</c>.
/// </summary>
internal sealed class CommandRunner
{
    private readonly Option<bool> _verbose;

    /// <summary>Creates a runner writing to <paramref name="context"/>.</summary>
    public CommandRunner(CliContext context, Option<bool> verbose)
    {
        Context = context;
        _verbose = verbose;
    }

    /// <summary>Where commands write.</summary>
    public CliContext Context { get; }

    /// <summary>Runs <paramref name="body"/> for <paramref name="commandName"/> and returns its exit code.</summary>
    public int Run(ParseResult parseResult, string commandName, Func<int> body)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            return body();
        }
        catch (OperationCanceledException)
        {
            Context.Error.WriteLine($"sec0 {commandName}: cancelled");
            return ExitCodes.Cancelled;
        }
        catch (Sec0Exception exception)
        {
            Context.Error.WriteLine(exception.Message);
            WriteStackIfVerbose(parseResult, exception);
            return ExitCodes.Failure;
        }
        catch (Exception exception)
        {
            Context.Error.WriteLine($"sec0 {commandName}: unexpected error: {exception.GetType().Name}: {exception.Message}");
            if (parseResult.GetValue(_verbose))
            {
                Context.Error.WriteLine(exception.ToString());
            }
            else
            {
                Context.Error.WriteLine("Run again with --verbose for the stack trace.");
            }

            return ExitCodes.InternalError;
        }
    }

    private void WriteStackIfVerbose(ParseResult parseResult, Exception exception)
    {
        if (parseResult.GetValue(_verbose))
        {
            Context.Error.WriteLine(exception.ToString());
        }
    }
}

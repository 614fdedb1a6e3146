using System.CommandLine;
using Sec0.Audit;

namespace Sec0.Cli.Commands;

/// <summary>
/// <c>sec0 head &lt;dir|file&gt;</c>: prints where an audit log ends, <c>&lt;seq&gt;:&lt;hash&gt;</c> of its last line, for
/// keeping somewhere the log's writer cannot reach and checking later with <c>sec0 verify --expect-head</c>.
/// </summary>
internal static class HeadCommand
{
    public static Command Create(CommandRunner runner)
    {
        Argument<string> path = new("path")
        {
            Description = "An audit directory (audit-YYYY-MM-DD.ndjson files) or a single audit file.",
        };

        Command command = new("head", "Print where an audit log ends (<seq>:<hash> of its last line), to keep elsewhere for `sec0 verify --expect-head`.")
        {
            path,
        };
        command.SetAction((parseResult, cancellationToken) => Task.FromResult(runner.Run(parseResult, "head", () =>
            Execute(runner.Context, parseResult.GetValue(path)!))));
        return command;
    }

    private static int Execute(CliContext context, string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            context.Error.WriteLine($"[sec0] No audit log at \"{Path.GetFullPath(path)}\": expected a directory of audit-YYYY-MM-DD.ndjson files or one such file.");
            return ExitCodes.UsageError;
        }

        AuditHead? head;
        try
        {
            head = AuditHead.FromLog(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            context.Error.WriteLine($"[sec0] Audit log at \"{Path.GetFullPath(path)}\" could not be read: {exception.Message}");
            return ExitCodes.UsageError;
        }

        if (head is not { } found)
        {
            context.Error.WriteLine($"[sec0] The audit log at \"{Path.GetFullPath(path)}\" has no complete line: there is no head to print.");
            return ExitCodes.Failure;
        }

        context.Out.WriteLine(found.ToString());

        // The writer's own copy normally agrees; when it does not, say so (a crash, or a cut the writer has not seen yet).
        if (Directory.Exists(path) && AuditHead.Read(path) is { } written && written != found)
        {
            context.Error.WriteLine($"note: the writer's head file ({AuditHead.FileName}) says {written}; the log ends at {found}.");
        }

        return ExitCodes.Success;
    }
}

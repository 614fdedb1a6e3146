using System.CommandLine;
using System.Globalization;
using Sec0.Audit;
using Sec0.Audit.Tracing;

namespace Sec0.Cli.Commands;

/// <summary>
/// <c>sec0 trace &lt;dir|file&gt; [--run &lt;id&gt;] [--last &lt;n&gt; | --all] [--format text|json|mermaid]</c>: draws each run of
/// an audit log as a tree of calls (orchestrator, agents, tools) with decision, status and latency, read with
/// <see cref="AuditRunReader"/>. A view, not a verification: lines it cannot read are reported on stderr as
/// <c>file:line: message</c> and skipped, the rest is still drawn, and the exit code is 1 so scripts notice.
/// </summary>
internal static class TraceCommand
{
    /// <summary>How many runs are drawn without <c>--run</c> or <c>--all</c>: a month of logs is not dumped on a terminal.</summary>
    public const int DefaultLast = 10;

    private const string TextFormat = "text";
    private const string JsonFormat = "json";
    private const string MermaidFormat = "mermaid";

    public static Command Create(CommandRunner runner)
    {
        Argument<string> path = new("path")
        {
            Description = "An audit directory (audit-YYYY-MM-DD.ndjson files) or a single audit file.",
        };
        Option<string?> run = new("--run")
        {
            Description = "Draw only this run: its id (agentRef of its calls), or a prefix only it has.",
            HelpName = "ID",
        };
        Option<int> last = new("--last")
        {
            Description = "Draw the newest N runs.",
            HelpName = "N",
            DefaultValueFactory = _ => DefaultLast,
        };
        Option<bool> all = new("--all")
        {
            Description = "Draw every run in the log.",
        };
        Option<string> format = new("--format")
        {
            Description = "text (a tree for the terminal), json (runs and their calls), or mermaid (a flowchart for docs and tickets).",
            DefaultValueFactory = _ => TextFormat,
        };
        format.AcceptOnlyFromAmong(TextFormat, JsonFormat, MermaidFormat);

        Command command = new("trace", "Draw each run of an audit log as a tree: orchestrator, agents, tools, with decision, status and latency.")
        {
            path,
            run,
            last,
            all,
            format,
        };
        command.SetAction((parseResult, cancellationToken) => Task.FromResult(runner.Run(parseResult, "trace", () =>
        {
            var options = new AuditRunReaderOptions { RunId = parseResult.GetValue(run) };
            var lastResult = parseResult.GetResult(last);
            var explicitLast = lastResult is { Implicit: false };
            return Execute(runner.Context, parseResult.GetValue(path)!, options, explicitLast, parseResult.GetValue(last), parseResult.GetValue(all),
                parseResult.GetValue(format)!, cancellationToken);
        })));
        return command;
    }

    private static int Execute(CliContext context, string path, AuditRunReaderOptions options, bool explicitLast, int last, bool all, string format, CancellationToken cancellationToken)
    {
        if (options.RunId is { } runId && (runId.Length == 0 || all || explicitLast))
        {
            context.Error.WriteLine(runId.Length == 0
                ? "[sec0] --run needs a run id (or the start of one)."
                : "[sec0] --run draws one run: it does not combine with --last or --all.");
            return ExitCodes.UsageError;
        }

        if (all && explicitLast)
        {
            context.Error.WriteLine("[sec0] --all draws every run: it does not combine with --last.");
            return ExitCodes.UsageError;
        }

        if (last < 1)
        {
            context.Error.WriteLine($"[sec0] --last {last.ToString(CultureInfo.InvariantCulture)}: give at least 1 (or --all for every run).");
            return ExitCodes.UsageError;
        }

        if (!File.Exists(path) && !Directory.Exists(path))
        {
            context.Error.WriteLine($"[sec0] No audit log at \"{Path.GetFullPath(path)}\": expected a directory of audit-YYYY-MM-DD.ndjson files or one such file.");
            return ExitCodes.UsageError;
        }

        options.Last = options.RunId is null && !all ? last : null;
        AuditTrace trace;
        try
        {
            trace = new AuditRunReader(options).Read(path, cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            context.Error.WriteLine($"[sec0] Audit log at \"{Path.GetFullPath(path)}\" could not be read: {exception.Message}");
            return ExitCodes.UsageError;
        }

        switch (format)
        {
            case JsonFormat:
                AuditTraceJsonRenderer.Write(context.Out, trace);
                break;
            case MermaidFormat:
                AuditTraceMermaidRenderer.Write(context.Out, trace);
                break;
            default:
                AuditTraceTextRenderer.Write(context.Out, trace, AuditTraceTextRenderer.ShouldUseColor(context.IsTerminal));
                break;
        }

        // Everything but the drawing goes to stderr: stdout stays exactly the JSON document or the flowchart.
        WriteProblems(context, path, trace);
        if (trace.Files == 0)
        {
            context.Error.WriteLine($"[sec0] No audit files (audit-YYYY-MM-DD.ndjson) in \"{Path.GetFullPath(path)}\": nothing to draw.");
            return ExitCodes.Failure;
        }

        if (trace.RunsInLog == 0)
        {
            context.Error.WriteLine($"[sec0] The audit log at \"{Path.GetFullPath(path)}\" records no calls: nothing to draw.");
            return ExitCodes.Failure;
        }

        if (trace.Runs.Count < trace.RunsInLog && options.RunId is null)
        {
            context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"({trace.Runs.Count} newest of {trace.RunsInLog} runs; --last N or --all for more, --run <id> for one)"));
        }

        return trace.UnreadableLines == 0 ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static void WriteProblems(CliContext context, string path, AuditTrace trace)
    {
        if (trace.UnreadableLines == 0)
        {
            return;
        }

        // Like verify: each problem as file:line (the path as typed), so editors and CI annotations can jump to it.
        var isDirectory = Directory.Exists(path);
        foreach (AuditProblem problem in trace.Problems)
        {
            context.Error.WriteLine($"{(isDirectory ? Path.Join(path, problem.File) : path)}:{problem.Line}: {problem.Message}");
        }

        if (trace.UnreadableLines > trace.Problems.Count)
        {
            context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{path}: {trace.UnreadableLines - trace.Problems.Count} more unreadable line(s) not listed"));
        }

        context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[sec0] {trace.UnreadableLines} line(s) could not be read and are not drawn: the trace may be incomplete. Check the log with `sec0 verify {path} --pub <public key>`."));
    }
}

using System.CommandLine;
using Sec0.Audit;
using Sec0.Cli.Output;
using Sec0.Signing;

namespace Sec0.Cli.Commands;

/// <summary>
/// <c>sec0 verify &lt;dir|file&gt;... --pub &lt;key or key file&gt; [--expect-head &lt;seq&gt;:&lt;hash&gt;]</c>: runs
/// <see cref="AuditLogVerifier"/> and prints its summary, preceded by one <c>file:line: message</c> line per
/// problem. Several paths (the logs of several gateway replicas, say) are verified one by one, each its own chain.
/// Files of Sec0's TypeScript SDK get one line each saying their lines are signed but unchained.
/// Exit 0 only when every log is intact.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create(CommandRunner runner)
    {
        Argument<string[]> paths = new("path")
        {
            Description = "An audit directory (audit-YYYY-MM-DD.ndjson files) or a single audit file; several are verified one by one, each its own log.",
            Arity = ArgumentArity.OneOrMore,
        };
        Option<string> publicKey = new("--pub")
        {
            Description = "The public key: a file, SPKI PEM text (-----BEGIN PUBLIC KEY-----), or base64 of a raw 32-byte Ed25519 key.",
            HelpName = "KEY",
            Required = true,
        };
        Option<string?> expectHead = new("--expect-head")
        {
            Description = "A head kept elsewhere (as `sec0 head` prints it): the log must contain that line. Catches a cut tail, a rewritten end or a replaced log.",
            HelpName = "SEQ:HASH",
        };

        Command command = new("verify", "Verify every signature, the hash chain and the sequence of an audit log.")
        {
            paths,
            publicKey,
            expectHead,
        };
        command.SetAction((parseResult, cancellationToken) => Task.FromResult(runner.Run(parseResult, "verify", () =>
            Execute(runner.Context, parseResult.GetValue(paths)!, parseResult.GetValue(publicKey)!, parseResult.GetValue(expectHead), cancellationToken))));
        return command;
    }

    private static int Execute(CliContext context, string[] paths, string publicKeyText, string? expectHeadText, CancellationToken cancellationToken)
    {
        foreach (string path in paths)
        {
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                context.Error.WriteLine($"[sec0] No audit log at \"{Path.GetFullPath(path)}\": expected a directory of audit-YYYY-MM-DD.ndjson files or one such file.");
                return ExitCodes.UsageError;
            }
        }

        AuditVerifyOptions options = new();
        if (expectHeadText is not null)
        {
            if (paths.Length > 1)
            {
                context.Error.WriteLine("[sec0] --expect-head names the end of one log, but several paths were given: verify each log with its own head, one command per log.");
                return ExitCodes.UsageError;
            }

            if (!AuditHead.TryParse(expectHeadText, out AuditHead head))
            {
                context.Error.WriteLine($"[sec0] --expect-head \"{expectHeadText}\" is not an audit head: expected <seq>:<sha256 hex of the line>, as `sec0 head <dir>` prints it.");
                return ExitCodes.UsageError;
            }

            options.ExpectedHead = head;
        }

        SignatureVerifier key;
        try
        {
            key = PublicKeyReader.Read(publicKeyText);
        }
        catch (Sec0SignerException exception)
        {
            context.Error.WriteLine(exception.Message);
            return ExitCodes.UsageError;
        }

        using (key)
        {
            AuditLogVerifier verifier = new(key);
            if (paths.Length == 1)
            {
                return VerifyOne(context, verifier, paths[0], options, summaryPrefix: "", cancellationToken);
            }

            // One log after the other, each its own chain; every summary names its log, the last line all of them.
            int notIntact = 0;
            foreach (string path in paths)
            {
                int code = VerifyOne(context, verifier, path, options, summaryPrefix: path + ": ", cancellationToken);
                if (code == ExitCodes.UsageError)
                {
                    return code;
                }

                if (code != ExitCodes.Success)
                {
                    notIntact++;
                }
            }

            context.Out.WriteLine(notIntact == 0
                ? $"{paths.Length} logs, all intact"
                : $"{paths.Length} logs, {notIntact} not intact");
            return notIntact == 0 ? ExitCodes.Success : ExitCodes.Failure;
        }
    }

    private static int VerifyOne(CliContext context, AuditLogVerifier verifier, string path, AuditVerifyOptions options, string summaryPrefix, CancellationToken cancellationToken)
    {
        AuditVerificationReport report;
        try
        {
            report = context.IsTerminal
                ? VerifyProgressDisplay.Run(context.Out, progress => verifier.Verify(path, options, progress, cancellationToken))
                : verifier.Verify(path, options, progress: null, cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // FileNotFoundException included: the log vanished between the check above and the read.
            context.Error.WriteLine($"[sec0] Audit log at \"{Path.GetFullPath(path)}\" could not be read: {exception.Message}");
            return ExitCodes.UsageError;
        }

        // Problems name a file inside the log; prefix the path as the user gave it, so each line opens in an editor.
        bool isDirectory = Directory.Exists(path);

        // Not problems, but what a TypeScript SDK file's valid signatures cannot prove: said per file, first.
        foreach (AuditTypeScriptFile typeScriptFile in report.TypeScriptFiles)
        {
            context.Out.WriteLine($"{(isDirectory ? Path.Join(path, typeScriptFile.File) : path)}: {typeScriptFile.Message}");
        }

        foreach (AuditProblem problem in report.Problems)
        {
            if (problem.File.Length == 0)
            {
                context.Out.WriteLine($"{path}: {problem.Message}");
                continue;
            }

            string file = isDirectory ? Path.Join(path, problem.File) : path;
            context.Out.WriteLine($"{file}:{problem.Line}: {problem.Message}");
        }

        if (report.UnlistedProblems > 0)
        {
            context.Out.WriteLine($"{path}: {report.UnlistedProblems} more problem(s) not listed (only the first {AuditLogVerifier.MaxListedProblems} are)");
        }

        context.Out.WriteLine(summaryPrefix + report.Summary);
        return report.IsIntact ? ExitCodes.Success : ExitCodes.Failure;
    }
}

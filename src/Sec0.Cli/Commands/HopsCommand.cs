using System.CommandLine;
using Sec0.Cli.Output;
using Sec0.Hops;

namespace Sec0.Cli.Commands;

/// <summary>
/// <c>sec0 hops &lt;assembly.dll&gt; [--json]</c>: lists the hop manifest the Sec0 generator compiled into an
/// assembly, read with <see cref="HopManifestReader"/> (the assembly is never loaded or run).
/// </summary>
internal static class HopsCommand
{
    public static Command Create(CommandRunner runner)
    {
        Argument<string> assembly = new("assembly")
        {
            Description = "The assembly (.dll or .exe) to read.",
        };
        Option<bool> json = new("--json")
        {
            Description = "Print the entries as a JSON array instead of a table.",
        };

        Command command = new("hops", "List the hops and MCP tools in an assembly's Sec0 hop manifest, without running it.")
        {
            assembly,
            json,
        };
        command.SetAction(parseResult => runner.Run(parseResult, "hops", () =>
            Execute(runner.Context, parseResult.GetValue(assembly)!, parseResult.GetValue(json))));
        return command;
    }

    private static int Execute(CliContext context, string assemblyPath, bool asJson)
    {
        IReadOnlyList<HopManifestEntry> entries;
        try
        {
            entries = HopManifestReader.Read(assemblyPath);
        }
        catch (Sec0Exception exception) when (exception.Code == HopManifestReader.ErrorCode)
        {
            context.Error.WriteLine(exception.Message);
            return ExitCodes.UsageError;
        }

        List<HopManifestEntry> sorted = entries
            .OrderBy(e => e.Kind, StringComparer.Ordinal)
            .ThenBy(e => e.Key, StringComparer.Ordinal)
            .ToList();

        if (sorted.Count == 0)
        {
            // The message goes to stderr under --json so stdout stays a valid (empty) JSON array.
            (asJson ? context.Error : context.Out).WriteLine($"no Sec0 hop manifest in {assemblyPath}: was it built with the Sec0 package?");
            if (asJson)
            {
                HopManifestJsonWriter.Write(context.Out, sorted);
            }

            return ExitCodes.Success;
        }

        if (asJson)
        {
            HopManifestJsonWriter.Write(context.Out, sorted);
        }
        else
        {
            HopManifestTableWriter.Write(context, sorted);
        }

        return ExitCodes.Success;
    }
}

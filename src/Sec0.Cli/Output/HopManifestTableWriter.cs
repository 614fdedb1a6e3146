using Sec0.Config;
using Sec0.Hops;
using Spectre.Console;

namespace Sec0.Cli.Output;

/// <summary>Writes hop manifest entries as a table (<c>sec0 hops</c>).</summary>
internal static class HopManifestTableWriter
{
    // Redirected output is read by grep and diff, not by eyes on an 80-column window: never wrap a row there.
    private const int RedirectedWidth = 4096;

    public static void Write(CliContext context, IReadOnlyList<HopManifestEntry> entries)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(context.Out),
            Ansi = context.IsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = context.IsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = context.IsTerminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!context.IsTerminal)
        {
            console.Profile.Width = RedirectedWidth;
        }

        Table table = new Table()
            .Border(context.IsTerminal ? TableBorder.Rounded : TableBorder.Simple)
            .AddColumns("KIND", "KEY", "EXPECTED TYPE", "BODY HASH", "SOURCE", "SIGNATURE");
        foreach (HopManifestEntry entry in entries)
        {
            string expectedType = entry.ExpectedType == HopType.Unspecified ? "-" : HopRequirements.GetYamlName(entry.ExpectedType);
            table.AddRow(
                new Text(entry.Kind),
                new Text(entry.Key),
                new Text(expectedType),
                new Text(entry.BodyHash),
                new Text($"{entry.FilePath}:{entry.StartLine}-{entry.EndLine}"),
                new Text(entry.Signature));
        }

        console.Write(table);
    }
}

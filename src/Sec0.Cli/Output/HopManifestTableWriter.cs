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
        if (context.IsTerminal)
        {
            Render(context.Out, isTerminal: true, entries);
            return;
        }

        // Spectre pads every cell and frames the table with blank lines; redirected output drops that
        // padding so each line is a clean row for grep and diff.
        using StringWriter buffer = new();
        Render(buffer, isTerminal: false, entries);
        foreach (string line in buffer.ToString().Split('\n'))
        {
            string row = line.TrimEnd();
            if (row.Length > 0)
            {
                context.Out.WriteLine(row);
            }
        }
    }

    private static void Render(TextWriter output, bool isTerminal, IReadOnlyList<HopManifestEntry> entries)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = isTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = isTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = isTerminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!isTerminal)
        {
            console.Profile.Width = RedirectedWidth;
        }

        Table table = new Table()
            .Border(isTerminal ? TableBorder.Rounded : TableBorder.Simple)
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

namespace Sec0.Cli;

/// <summary>The entry point of the <c>sec0</c> tool.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        // Progress bars are for people watching a terminal; redirected output stays exactly the result.
        CliContext context = new(Console.Out, Console.Error, IsTerminal: !Console.IsOutputRedirected);
        return CliApp.Run(args, context);
    }
}

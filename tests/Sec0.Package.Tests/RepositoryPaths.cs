namespace Sec0.Package.Tests;

/// <summary>Paths in the repository the tests were built from.</summary>
internal static class RepositoryPaths
{
    private const string SolutionFileName = "Sec0.Instrumentation.sln";

    /// <summary>The folder holding the solution: the tests run from its tests/*/bin, so it is an ancestor.</summary>
    public static string Root { get; } = FindRoot();

    public static string RuntimeProject => Path.Combine(Root, "src", "Sec0.Instrumentation", "Sec0.Instrumentation.csproj");

    public static string PackageTargets => Path.Combine(Root, "src", "Sec0.Instrumentation", "buildTransitive", "Sec0.Instrumentation.targets");

    public static string QuickstartConfig => Path.Combine(Root, "sec0.config.yaml");

    public static string QuickstartPolicy => Path.Combine(Root, "policy.yaml");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFileName)))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No {SolutionFileName} above {AppContext.BaseDirectory}.");
    }
}

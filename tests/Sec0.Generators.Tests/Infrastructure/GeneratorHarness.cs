using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Sec0.Generators.Tests.Infrastructure;

/// <summary>Builds compilations and drives <see cref="HopGenerator"/> the way the compiler does.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new CSharpParseOptions(LanguageVersion.Latest)
        .WithFeatures(new[] { new KeyValuePair<string, string>("InterceptorsNamespaces", "Sec0.Generated") });

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(LoadReferences);

    /// <summary>The framework's reference set plus Sec0.Instrumentation.</summary>
    public static ImmutableArray<MetadataReference> References => s_references.Value;

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var frameworkDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var tpa = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var references = tpa
            .Where(path => string.Equals(Path.GetDirectoryName(path), frameworkDir, StringComparison.Ordinal))
            .Where(path => !Path.GetFileName(path).StartsWith("Microsoft.VisualBasic", StringComparison.Ordinal))
            .OrderBy(path => path, StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToList();
        references.Add(MetadataReference.CreateFromFile(typeof(Sec0.Sec0HopAttribute).Assembly.Location));
        return references.ToImmutableArray();
    }

    /// <summary>The parse options of a build with <c>Sec0GeneratorCache=false</c> (the compiler feature the package's targets add).</summary>
    public static readonly CSharpParseOptions CacheOffParseOptions = ParseOptions
        .WithFeatures(ParseOptions.Features.Append(new KeyValuePair<string, string>("Sec0GeneratorCache", "false")));

    public static CSharpCompilation CreateCompilation(
        IEnumerable<(string Path, string Source)> sources,
        string assemblyName = "TestAssembly",
        IEnumerable<MetadataReference>? extraReferences = null,
        CSharpParseOptions? parseOptions = null)
    {
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Source, parseOptions ?? ParseOptions, s.Path));
        return CSharpCompilation.Create(
            assemblyName,
            trees,
            References.AddRange(extraReferences ?? Array.Empty<MetadataReference>()),
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                allowUnsafe: true,
                deterministic: true));
    }

    public static CSharpCompilation CreateCompilation(string source, string path = "/proj/Program.cs")
        => CreateCompilation(new[] { (path, source) });

    /// <summary>
    /// A driver of a new generator; <paramref name="hooks"/> observe (or change) that generator only. The
    /// generated trees get <paramref name="parseOptions"/>: the compilation's own, as in a build.
    /// </summary>
    public static GeneratorDriver CreateDriver(GeneratorHooks? hooks = null, CSharpParseOptions? parseOptions = null)
        => CSharpGeneratorDriver.Create(
            new[] { new HopGenerator(hooks ?? GeneratorHooks.None).AsSourceGenerator() },
            parseOptions: parseOptions ?? ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator; returns the driver (for incremental runs), the output compilation and its diagnostics.</summary>
    public static GeneratorRun Run(Compilation compilation, GeneratorDriver? driver = null)
    {
        driver ??= CreateDriver();
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        return new GeneratorRun(driver, output, generatorDiagnostics);
    }

    /// <summary>Generated files of a run, sorted by hint name.</summary>
    public static ImmutableArray<GeneratedSourceResult> Generated(GeneratorDriver driver)
        => driver.GetRunResult().Results.Single().GeneratedSources.OrderBy(s => s.HintName, StringComparer.Ordinal).ToImmutableArray();

    /// <summary>All generated files as one text (the snapshot format).</summary>
    public static string GeneratedText(GeneratorDriver driver)
        => string.Join("\n", Generated(driver).Select(s => "//----- " + s.HintName + " -----\n" + s.SourceText));

    public static void AssertNoErrors(GeneratorRun run)
    {
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Null(run.Driver.GetRunResult().Results.Single().Exception);
        var problems = run.Output.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error || (d.Severity == DiagnosticSeverity.Warning && d.Location.SourceTree?.FilePath.Contains("Sec0.", StringComparison.Ordinal) == true))
            .ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n\n" + GeneratedText(run.Driver));
    }
}

internal sealed record GeneratorRun(GeneratorDriver Driver, Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics);

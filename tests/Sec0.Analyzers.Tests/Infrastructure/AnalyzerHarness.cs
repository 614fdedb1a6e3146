using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Sec0.Analyzers.Tests.Infrastructure;

/// <summary>
/// Runs <see cref="Sec0HopAnalyzer"/> over a compilation through <see cref="CompilationWithAnalyzers"/> (the
/// Roslyn testing packages are not available), with sec0.config.yaml as an AdditionalFiles item.
/// </summary>
internal static class AnalyzerHarness
{
    public const string ConfigPath = "/proj/sec0.config.yaml";

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(LoadReferences);

    /// <summary>The framework's reference set plus Sec0.Instrumentation (for the attribute).</summary>
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

    public static CSharpCompilation CreateCompilation(IEnumerable<(string Path, string Source)> sources, IEnumerable<MetadataReference>? extraReferences = null, string assemblyName = "TestAssembly")
        => CSharpCompilation.Create(
            assemblyName,
            sources.Select(s => CSharpSyntaxTree.ParseText(s.Source, ParseOptions, s.Path)),
            References.AddRange(extraReferences ?? []),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));

    /// <summary>The analyzer's diagnostics (also hidden ones), sorted by file and position; compiler errors fail the test.</summary>
    public static async Task<ImmutableArray<Diagnostic>> RunAsync(
        IEnumerable<(string Path, string Source)> sources,
        string? yaml,
        string configPath = ConfigPath,
        IEnumerable<MetadataReference>? extraReferences = null,
        bool allowCompilerErrors = false)
    {
        var compilation = CreateCompilation(sources, extraReferences);
        if (!allowCompilerErrors)
        {
            var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            Assert.True(errors.Count == 0, string.Join("\n", errors));
        }

        var additionalFiles = yaml is null
            ? ImmutableArray<AdditionalText>.Empty
            : ImmutableArray.Create<AdditionalText>(new InMemoryAdditionalText(configPath, yaml));
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(additionalFiles),
            onAnalyzerException: null,
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false,
            reportSuppressedDiagnostics: false);
        var withAnalyzers = compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new Sec0HopAnalyzer()), options);
        var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync(CancellationToken.None);

        // An analyzer that throws shows up as AD0001; never let that pass as "no diagnostics".
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
        return diagnostics
            .OrderBy(d => d.Location.GetLineSpan().Path, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .ThenBy(d => d.Id, StringComparer.Ordinal)
            .ToImmutableArray();
    }

    public static Task<ImmutableArray<Diagnostic>> RunAsync(string source, string? yaml, string sourcePath = "/proj/Hops.cs")
        => RunAsync([(sourcePath, source)], yaml);

    /// <summary><c>SEC0001 /proj/Hops.cs(5,16)</c>: id, file, 1-based line and column of the start.</summary>
    public static string Format(Diagnostic diagnostic)
    {
        var span = diagnostic.Location.GetLineSpan();
        return diagnostic.Location == Location.None
            ? diagnostic.Id
            : $"{diagnostic.Id} {span.Path}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1})";
    }

    public static string[] Only(ImmutableArray<Diagnostic> diagnostics, string id)
        => diagnostics.Where(d => d.Id == id).Select(Format).ToArray();

    public static Diagnostic Single(ImmutableArray<Diagnostic> diagnostics, string id)
        => Assert.Single(diagnostics, d => d.Id == id);
}

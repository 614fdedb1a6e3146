using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Sec0.Hops;

namespace Sec0.Cli.Tests.Infrastructure;

/// <summary>Compiles a small C# library to a .dll file with Roslyn, referencing Sec0.Instrumentation.</summary>
public static class TestAssemblyCompiler
{
    public static string CompileToFile(string directory, string assemblyName, string source)
    {
        string[] platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        IEnumerable<MetadataReference> references = platform
            .Append(typeof(Sec0HopManifestEntryAttribute).Assembly.Location)
            .Select(path => MetadataReference.CreateFromFile(path));
        CSharpCompilation compilation = CSharpCompilation.Create(
            assemblyName,
            [CSharpSyntaxTree.ParseText(source)],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

        string path = Path.Combine(directory, assemblyName + ".dll");
        var result = compilation.Emit(path);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return path;
    }
}

using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;

namespace Sec0.Package.Tests;

/// <summary>What <c>dotnet pack src/Sec0.Instrumentation</c> puts where.</summary>
[Collection(nameof(PackageCollection))]
public sealed class PackageLayoutTests(PackedPackage package)
{
    private const string AnalyzerFolder = "analyzers/dotnet/cs/";

    [Fact]
    public void The_runtime_generator_and_targets_are_in_their_nuget_folders()
    {
        Assert.Contains("lib/net10.0/Sec0.Instrumentation.dll", package.Entries);
        Assert.Contains("lib/net10.0/Sec0.Instrumentation.xml", package.Entries);
        Assert.Contains(AnalyzerFolder + "Sec0.Generators.dll", package.Entries);
        Assert.Contains("buildTransitive/Sec0.Instrumentation.targets", package.Entries);
        Assert.Contains("build/Sec0.Instrumentation.targets", package.Entries);
        Assert.Contains("README.md", package.Entries);

        // The generator runs in the compiler only; a consumer must never compile against it.
        Assert.DoesNotContain(package.Entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.Contains("Generators", StringComparison.Ordinal));
        Assert.DoesNotContain(package.Entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && !e.StartsWith("lib/net10.0/", StringComparison.Ordinal));
    }

    [Fact]
    public void The_package_targets_are_the_repository_file_and_build_only_forwards_to_them()
    {
        Assert.Equal(File.ReadAllText(RepositoryPaths.PackageTargets), package.ReadText("buildTransitive/Sec0.Instrumentation.targets"));
        var forwarder = XDocument.Parse(package.ReadText("build/Sec0.Instrumentation.targets"));
        var import = Assert.Single(forwarder.Descendants("Import"));
        Assert.Equal(@"$(MSBuildThisFileDirectory)..\buildTransitive\Sec0.Instrumentation.targets", import.Attribute("Project")?.Value);
    }

    [Fact]
    public void The_nuspec_depends_on_the_runtime_dependencies_and_nothing_else()
    {
        var nuspec = XDocument.Parse(package.ReadText("Sec0.Instrumentation.nuspec"));
        XNamespace ns = nuspec.Root!.Name.Namespace;
        var metadata = nuspec.Root.Element(ns + "metadata")!;
        Assert.Equal("Sec0.Instrumentation", metadata.Element(ns + "id")?.Value);
        Assert.Equal(package.Version, metadata.Element(ns + "version")?.Value);
        Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);

        var group = Assert.Single(metadata.Element(ns + "dependencies")!.Elements(ns + "group"));
        Assert.Equal("net10.0", group.Attribute("targetFramework")?.Value);
        var dependencies = group.Elements(ns + "dependency").ToDictionary(d => d.Attribute("id")!.Value, d => d.Attribute("version")!.Value);
        Assert.Equal(
            ["Microsoft.Extensions.DependencyInjection.Abstractions", "Microsoft.Extensions.Hosting.Abstractions", "Microsoft.Extensions.Http", "Microsoft.Extensions.Logging.Abstractions", "NSec.Cryptography", "OpenTelemetry.Exporter.OpenTelemetryProtocol", "YamlDotNet"],
            dependencies.Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.All(dependencies.Values, v => Assert.False(string.IsNullOrEmpty(v)));
    }

    [Fact]
    public void Every_assembly_an_analyzer_dll_references_is_the_compilers_own_or_ships_beside_it()
    {
        // The compiler resolves an analyzer's references only from its own folder, so a missing
        // YamlDotNet.dll (say) would surface in consumers as a generator or analyzer that silently
        // fails to load. This holds for the generator today and for the analyzers once switched on.
        var analyzerDlls = package.Entries.Where(e => e.StartsWith(AnalyzerFolder, StringComparison.Ordinal) && e.EndsWith(".dll", StringComparison.Ordinal)).ToList();
        var shipped = analyzerDlls.Select(e => Path.GetFileNameWithoutExtension(e)).ToHashSet(StringComparer.Ordinal);
        foreach (var entry in analyzerDlls)
        {
            using var pe = new PEReader(new MemoryStream(package.ReadBytes(entry)));
            var reader = pe.GetMetadataReader();
            foreach (var handle in reader.AssemblyReferences)
            {
                var name = reader.GetString(reader.GetAssemblyReference(handle).Name);
                var providedByCompiler = name is "netstandard" or "mscorlib" || name.StartsWith("System.", StringComparison.Ordinal) || name.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal);
                Assert.True(providedByCompiler || shipped.Contains(name), $"{entry} references {name}, which is neither provided by the compiler nor shipped in {AnalyzerFolder}.");
            }
        }

        if (shipped.Contains("Sec0.Analyzers"))
        {
            Assert.Contains("YamlDotNet", shipped);
        }
    }
}

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Sec0.Generators.Parsing;
using Sec0.Generators.Tests.Infrastructure;
using Sec0.Generators.Tests.Snapshots;

namespace Sec0.Generators.Tests;

/// <summary>Hops from referenced assemblies, broken code, and compilations without the runtime.</summary>
public class CompileTests
{
    private const string LibrarySource = """
        using System.Threading.Tasks;
        using Sec0;

        namespace Lib;

        public class Remote
        {
            [Sec0Hop("lib.fetch", Type = HopType.Gateway)]
            public Task<string> FetchAsync(string url) => Task.FromResult("got " + url);

            [Sec0Hop]
            public static T Identity<T>(T value) => value;

            [Sec0Hop]
            internal static int Hidden() => 1;
        }
        """;

    private const string ConsumerSource = """
        using System.Threading.Tasks;

        namespace App;

        public static class Consumer
        {
            public static async Task<string> Run() => await new Lib.Remote().FetchAsync("u") + Lib.Remote.Identity(5);
        }
        """;

    private static MetadataReference BuildLibrary(bool withGenerator, out string fetchHash)
    {
        var library = GeneratorHarness.CreateCompilation(new[] { ("/lib/Remote.cs", LibrarySource) }, "Lib");
        Compilation output = library;
        fetchHash = string.Empty;
        if (withGenerator)
        {
            var run = GeneratorHarness.Run(library);
            GeneratorHarness.AssertNoErrors(run);
            output = run.Output;
            var text = GeneratorHarness.GeneratedText(run.Driver);
            var start = text.IndexOf("\"lib.fetch\", \"", StringComparison.Ordinal) + "\"lib.fetch\", \"".Length;
            fetchHash = text.Substring(start, "sha256:v1:".Length + 64);
        }

        using var stream = new MemoryStream();
        var emit = output.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        return MetadataReference.CreateFromImage(stream.ToArray());
    }

    [Fact]
    public void Hops_from_a_referenced_assembly_are_intercepted_with_their_manifest_hash()
    {
        var library = BuildLibrary(withGenerator: true, out var fetchHash);
        Assert.Matches("^sha256:v1:[0-9a-f]{64}$", fetchHash);
        var consumer = GeneratorHarness.CreateCompilation(new[] { ("/app/Consumer.cs", ConsumerSource) }, "App", new[] { library });

        var run = GeneratorHarness.Run(consumer);

        GeneratorHarness.AssertNoErrors(run);
        var text = GeneratorHarness.GeneratedText(run.Driver);
        Assert.Contains("new(\"lib.fetch\", global::Sec0.HopType.Gateway, \"" + fetchHash + "\", \"/lib/Remote.cs\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("[assembly:", text, StringComparison.Ordinal);
        Snapshot.Verify(text, "ExternalHop");
    }

    [Fact]
    public void Hops_from_an_assembly_built_without_the_generator_are_intercepted_without_a_hash()
    {
        var library = BuildLibrary(withGenerator: false, out _);
        var consumer = GeneratorHarness.CreateCompilation(new[] { ("/app/Consumer.cs", ConsumerSource) }, "App", new[] { library });

        var run = GeneratorHarness.Run(consumer);

        GeneratorHarness.AssertNoErrors(run);
        var text = GeneratorHarness.GeneratedText(run.Driver);
        Assert.Contains("new(\"lib.fetch\", global::Sec0.HopType.Gateway, \"\", \"\", 0, 0, ", text, StringComparison.Ordinal);
        Assert.Contains("InterceptsLocationAttribute(1, ", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_is_generated_without_the_runtime()
    {
        var trees = new[] { CSharpSyntaxTree.ParseText("class C { void M() => System.Console.WriteLine(); }", GeneratorHarness.ParseOptions, "/p/C.cs") };
        var compilation = CSharpCompilation.Create("NoRuntime", trees,
            GeneratorHarness.References.Where(r => !(r.Display ?? string.Empty).EndsWith("Sec0.Instrumentation.dll", StringComparison.Ordinal)),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

        var run = GeneratorHarness.Run(compilation);

        Assert.Empty(GeneratorHarness.Generated(run.Driver));
        Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    public static TheoryData<string> BrokenSources() => new()
    {
        // Missing types in the hop's signature, and its callers.
        "using Sec0; class C { [Sec0Hop] public static Missing M(Unknown u) => null; void N() => M(null); }",
        // Incomplete invocations.
        "using Sec0; class C { [Sec0Hop] public static int M(int a) => a; void N() { M(; C.M(1, ; } }",
        "using Sec0; class C { [Sec0Hop] public static int M(int a) => a; void N() { var x = M(",
        // Unknown methods, ambiguous overloads, wrong arity.
        "using Sec0; class C { [Sec0Hop] public static int M(int a) => a; [Sec0Hop] public static int M(long a) => 1; void N() { Q(); M(); M(1, 2); M<int>(1); M(null!); } }",
        // The attribute in odd places.
        "using Sec0; class C { void N() { [Sec0Hop] int Local() => 1; Local(); } [Sec0Hop] int P => 1; [Sec0Hop(] void Q() {} }",
        "using Sec0; [Sec0Hop] class C { [Sec0Hop(42)] void M() {} void N() => M(); }",
        // A hop with an error-typed generic constraint and receiver.
        "using Sec0; class G<T> where T : Nope { [Sec0Hop] public void M(T t) {} } class D { void N(G<int> g) => g.M(1); }",
        // Dynamic dispatch, delegates, conditional access on broken receivers.
        "using Sec0; class C { [Sec0Hop] public int M(int a) => a; void N(dynamic d, C? c) { d.M(1); c?.M(d); System.Func<int,int> f = M; f(1); undefined?.M(1); } }",
        // Garbage.
        "using Sec0; class C { [Sec0Hop] public static int M( => ; } } } M(1); Sec0Hop",
        "[Sec0.Sec0Hop] static int M() => M();",
    };

    [Theory]
    [MemberData(nameof(BrokenSources))]
    public void Broken_code_never_makes_the_generator_throw(string source)
    {
        var compilation = GeneratorHarness.CreateCompilation(source, "/proj/Broken.cs");

        var run = GeneratorHarness.Run(compilation, GeneratorHarness.CreateDriver(new GeneratorHooks { RethrowExceptions = true }));

        var result = run.Driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        Assert.Empty(result.Diagnostics);

        // Whatever was generated compiles: only the user's own errors remain.
        Assert.DoesNotContain(run.Output.GetDiagnostics(), d => d.Location.SourceTree?.FilePath.Contains("Sec0.", StringComparison.Ordinal) == true && d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void Hops_behind_an_attribute_alias_are_still_found()
    {
        const string source = """
            using Hop = Sec0.Sec0HopAttribute;

            namespace App;

            public static class Aliased
            {
                [Hop] public static int Work() => 1;

                public static int Call() => Work();
            }
            """;

        var run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source, "/proj/Aliased.cs"));

        GeneratorHarness.AssertNoErrors(run);
        Assert.Contains("HopDescriptors.Aliased_Work_", GeneratorHarness.GeneratedText(run.Driver), StringComparison.Ordinal);
    }

    [Fact]
    public void Calls_of_names_no_hop_has_are_not_bound()
    {
        var compilation = GeneratorHarness.CreateCompilation(new[]
        {
            ("/proj/Hops.cs", "namespace App; public static class H { [Sec0.Sec0Hop] public static int Work() => 1; }"),
            ("/proj/Other.cs", "namespace App; public static class O { public static int Other() => System.Math.Abs(-1) + H.Work(); }"),
        });

        var index = HopNameIndex.For(compilation);

        Assert.True(index.MayBeHop("Work"));
        Assert.False(index.MayBeHop("Abs"));
        Assert.False(index.MayBeHop("Other"));
    }
}

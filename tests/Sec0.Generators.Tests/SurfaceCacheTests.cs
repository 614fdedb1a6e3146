using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Sec0.Generators.Caching;
using Sec0.Generators.Tests.Infrastructure;

namespace Sec0.Generators.Tests;

/// <summary>
/// Call-site models are reused while the calling tree and the project's declaration surface are
/// unchanged (no binding), and rebuilt when a declaration elsewhere changes how a call binds: the
/// incremental output must always equal a cold run's.
/// </summary>
public class SurfaceCacheTests
{
    private const string HopsSource = """
        using Sec0;

        namespace App;

        public static partial class Agents
        {
            [Sec0Hop]
            public static int Step(long x)
            {
                return (int)x + 1;
            }
        }
        """;

    private const string MoreSource = """
        namespace App;

        public static partial class Agents
        {
            public static int Other() => 0;
        }
        """;

    private const string CallsSource = """
        namespace App;

        public static class Calls
        {
            public static int M() => Agents.Step(1) + Agents.Step(2L);
        }
        """;

    private const string UnrelatedSource = """
        namespace App;

        public static class Unrelated
        {
            public static int Max(int a, int b) => System.Math.Max(a, b);
        }
        """;

    /// <summary>The call sites one generator binds (through its hooks) and the tree surfaces it computes.</summary>
    private sealed class BindingProbe
    {
        private readonly List<string> _files = new();
        private int _surfaces;

        public BindingProbe() => Hooks = new GeneratorHooks
        {
            BindingCallSite = (_, invocation) =>
            {
                lock (_files)
                {
                    _files.Add(invocation.SyntaxTree.FilePath);
                }
            },
            ComputingSurface = _ => Interlocked.Increment(ref _surfaces),
        };

        public GeneratorHooks Hooks { get; }

        public GeneratorDriver CreateDriver(CSharpParseOptions? parseOptions = null) => GeneratorHarness.CreateDriver(Hooks, parseOptions);

        public IReadOnlyList<string> TakeFiles()
        {
            lock (_files)
            {
                var files = _files.ToList();
                _files.Clear();
                return files;
            }
        }

        public int TakeSurfaces() => Interlocked.Exchange(ref _surfaces, 0);
    }

    private static string UniqueName() => "SurfaceCache" + Guid.NewGuid().ToString("N");

    private static CSharpCompilation Create(string assemblyName, params (string Path, string Source)[] files)
        => GeneratorHarness.CreateCompilation(files, assemblyName);

    private static CSharpCompilation Edit(CSharpCompilation compilation, string path, string newSource)
    {
        var old = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(newSource, (CSharpParseOptions)old.Options, path));
    }

    /// <summary>A cold run on freshly parsed copies of the same files (no tree the caches have seen).</summary>
    private static string ColdText(CSharpCompilation compilation)
    {
        var fresh = compilation.RemoveAllSyntaxTrees().AddSyntaxTrees(compilation.SyntaxTrees.Select(t => CSharpSyntaxTree.ParseText(t.GetText().ToString(), (CSharpParseOptions)t.Options, t.FilePath)));
        var run = GeneratorHarness.Run(fresh);
        GeneratorHarness.AssertNoErrors(run);
        return GeneratorHarness.GeneratedText(run.Driver);
    }

    /// <summary>The interceptor files of a generated text (<see cref="GeneratorHarness.GeneratedText"/> format).</summary>
    private static string Interceptors(string generatedText)
        => string.Join("\n", generatedText.Split("//----- ").Where(file => file.StartsWith("Sec0.Interceptors.", StringComparison.Ordinal)));

    private static GeneratorRun RunChecked(CSharpCompilation compilation, GeneratorDriver driver)
    {
        var run = GeneratorHarness.Run(compilation, driver);
        GeneratorHarness.AssertNoErrors(run);
        Assert.Equal(ColdText(compilation), GeneratorHarness.GeneratedText(run.Driver));
        return run;
    }

    [Fact]
    public void Body_edits_elsewhere_bind_no_call_site_again()
    {
        var name = UniqueName();
        var probe = new BindingProbe();
        var compilation = Create(name, ("/proj/Hops.cs", HopsSource), ("/proj/More.cs", MoreSource), ("/proj/Calls.cs", CallsSource), ("/proj/Unrelated.cs", UnrelatedSource));
        var run = RunChecked(compilation, probe.CreateDriver());
        Assert.Contains("/proj/Calls.cs", probe.TakeFiles());
        var before = GeneratorHarness.GeneratedText(run.Driver);

        // A body edit in a file without hop calls: only that file's candidates are bound.
        compilation = Edit(compilation, "/proj/Unrelated.cs", UnrelatedSource.Replace("System.Math.Max(a, b)", "System.Math.Min(a, b) + System.Math.Abs(b)", StringComparison.Ordinal));
        run = RunChecked(compilation, run.Driver);
        Assert.All(probe.TakeFiles(), file => Assert.Equal("/proj/Unrelated.cs", file));

        // A body edit in the hop itself: the surface is the same, nothing is bound again.
        compilation = Edit(compilation, "/proj/Hops.cs", HopsSource.Replace("(int)x + 1", "(int)x * 2", StringComparison.Ordinal));
        run = RunChecked(compilation, run.Driver);
        Assert.Empty(probe.TakeFiles());
        Assert.Equal(Interceptors(before), Interceptors(GeneratorHarness.GeneratedText(run.Driver)));

        // A declaration edit anywhere (a new member): every call site is bound again, conservatively.
        compilation = Edit(compilation, "/proj/Unrelated.cs", UnrelatedSource.Replace("public static int Max", "public static int Min(int a) => a;\n    public static int Max", StringComparison.Ordinal));
        RunChecked(compilation, run.Driver);
        Assert.Contains("/proj/Calls.cs", probe.TakeFiles());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Sec0GeneratorCache_false_recomputes_everything_and_generates_the_same(bool cacheOn)
    {
        var name = UniqueName();
        var files = new[] { ("/proj/Hops.cs", HopsSource), ("/proj/More.cs", MoreSource), ("/proj/Calls.cs", CallsSource), ("/proj/Unrelated.cs", UnrelatedSource) };
        var parseOptions = cacheOn ? GeneratorHarness.ParseOptions : GeneratorHarness.CacheOffParseOptions;
        var compilation = GeneratorHarness.CreateCompilation(files, name, parseOptions: parseOptions);
        var probe = new BindingProbe();

        // The output always equals a run with the cache on over freshly parsed trees.
        GeneratorRun Step(CSharpCompilation next, GeneratorDriver driver)
        {
            var run = GeneratorHarness.Run(next, driver);
            GeneratorHarness.AssertNoErrors(run);
            var sources = next.SyntaxTrees.Select(t => (t.FilePath, t.GetText().ToString()));
            Assert.Equal(GeneratorHarness.GeneratedText(GeneratorHarness.Run(GeneratorHarness.CreateCompilation(sources, name)).Driver), GeneratorHarness.GeneratedText(run.Driver));
            return run;
        }

        var run = Step(compilation, probe.CreateDriver(parseOptions));
        Assert.Contains("/proj/Calls.cs", probe.TakeFiles());
        Assert.Equal(cacheOn ? files.Length : 0, probe.TakeSurfaces());

        // A body edit in a file without hop calls: with the cache on only that file is bound (and its surface computed).
        compilation = Edit(compilation, "/proj/Unrelated.cs", UnrelatedSource.Replace("System.Math.Max(a, b)", "System.Math.Min(a, b)", StringComparison.Ordinal));
        run = Step(compilation, run.Driver);
        Assert.Equal(cacheOn, !probe.TakeFiles().Contains("/proj/Calls.cs"));
        Assert.Equal(cacheOn ? 1 : 0, probe.TakeSurfaces());

        // A body edit in the hop: with the cache on nothing is bound again; off, every call site is.
        compilation = Edit(compilation, "/proj/Hops.cs", HopsSource.Replace("(int)x + 1", "(int)x * 2", StringComparison.Ordinal));
        run = Step(compilation, run.Driver);
        var bound = probe.TakeFiles();
        Assert.Equal(cacheOn, bound.Count == 0);
        Assert.Equal(cacheOn, !bound.Contains("/proj/Calls.cs"));
        Assert.Equal(cacheOn ? 1 : 0, probe.TakeSurfaces());
    }

    [Fact]
    public void A_more_specific_hop_overload_in_another_file_retargets_the_interceptor()
    {
        var name = UniqueName();
        var probe = new BindingProbe();
        var compilation = Create(name, ("/proj/Hops.cs", HopsSource), ("/proj/More.cs", MoreSource), ("/proj/Calls.cs", CallsSource));
        var run = RunChecked(compilation, probe.CreateDriver());
        Assert.DoesNotContain("int x)", GeneratorHarness.GeneratedText(run.Driver), StringComparison.Ordinal);

        // Step(1) now binds to Step(int); Step(2L) still to Step(long). Calls.cs itself is unchanged.
        compilation = Edit(compilation, "/proj/More.cs", MoreSource.Replace("public static int Other() => 0;", "[Sec0.Sec0Hop] public static int Step(int x) => x;", StringComparison.Ordinal));
        run = RunChecked(compilation, run.Driver);
        Assert.Contains("/proj/Calls.cs", probe.TakeFiles());
        var text = GeneratorHarness.GeneratedText(run.Driver);
        Assert.Contains("int x)", text, StringComparison.Ordinal);
        Assert.Contains("long x)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_more_specific_plain_overload_in_another_file_drops_the_interception()
    {
        var name = UniqueName();
        var compilation = Create(name, ("/proj/Hops.cs", HopsSource), ("/proj/More.cs", MoreSource), ("/proj/Calls.cs", CallsSource));
        var run = RunChecked(compilation, GeneratorHarness.CreateDriver());
        var calls = CountInterceptsLocations(run.Driver);
        Assert.Equal(2, calls);

        // Step(1) now binds to a method that is no hop: only Step(2L) is intercepted.
        compilation = Edit(compilation, "/proj/More.cs", MoreSource.Replace("public static int Other() => 0;", "public static int Step(int x) => x;", StringComparison.Ordinal));
        run = RunChecked(compilation, run.Driver);
        Assert.Equal(1, CountInterceptsLocations(run.Driver));
    }

    [Fact]
    public void Removing_the_attribute_in_the_hop_file_removes_the_interceptors()
    {
        var name = UniqueName();
        var compilation = Create(name, ("/proj/Hops.cs", HopsSource), ("/proj/More.cs", MoreSource), ("/proj/Calls.cs", CallsSource));
        var run = RunChecked(compilation, GeneratorHarness.CreateDriver());
        Assert.Equal(2, CountInterceptsLocations(run.Driver));

        compilation = Edit(compilation, "/proj/Hops.cs", HopsSource.Replace("[Sec0Hop]", string.Empty, StringComparison.Ordinal));
        run = RunChecked(compilation, run.Driver);
        Assert.Equal(0, CountInterceptsLocations(run.Driver));

        compilation = Edit(compilation, "/proj/Hops.cs", HopsSource);
        run = RunChecked(compilation, run.Driver);
        Assert.Equal(2, CountInterceptsLocations(run.Driver));
    }

    [Fact]
    public void A_new_implementor_or_override_in_another_file_intercepts_unchanged_dispatched_calls()
    {
        const string contracts = """
            namespace App;

            public interface IAgent { string Run(string order); }

            public abstract class Step { public abstract int Execute(int x); }
            """;
        const string calls = """
            namespace App;

            public static class Dispatched
            {
                public static string Go(IAgent agent, Step step) => agent.Run("a") + step.Execute(1);
            }
            """;
        const string implementors = """
            namespace App;

            public class OrderAgent : IAgent { public string Run(string order) => order; }
            """;

        var name = UniqueName();
        var probe = new BindingProbe();
        var compilation = Create(name, ("/proj/Contracts.cs", contracts), ("/proj/Calls.cs", calls), ("/proj/Implementors.cs", implementors));
        var run = RunChecked(compilation, probe.CreateDriver());
        Assert.Equal(0, CountInterceptsLocations(run.Driver));
        probe.TakeFiles();

        // A body edit in the implementor: nothing is bound again, nothing is intercepted.
        compilation = Edit(compilation, "/proj/Implementors.cs", implementors.Replace("=> order;", "=> order + order;", StringComparison.Ordinal));
        run = RunChecked(compilation, run.Driver);
        Assert.Empty(probe.TakeFiles());
        Assert.Equal(0, CountInterceptsLocations(run.Driver));

        // The implementation becomes a hop: the unchanged call through the interface is intercepted now.
        compilation = Edit(compilation, "/proj/Implementors.cs", implementors.Replace("public string Run", "[Sec0.Sec0Hop] public string Run", StringComparison.Ordinal));
        run = RunChecked(compilation, run.Driver);
        Assert.Contains("/proj/Calls.cs", probe.TakeFiles());
        Assert.Equal(1, CountInterceptsLocations(run.Driver));

        // A new override with its own [Sec0Hop], in a new file: the unchanged call through the base is intercepted too.
        compilation = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "namespace App;\npublic class ChargeStep : Step { [Sec0.Sec0Hop] public override int Execute(int x) => x; }\n", GeneratorHarness.ParseOptions, "/proj/Steps.cs"));
        run = RunChecked(compilation, run.Driver);
        Assert.Contains("/proj/Calls.cs", probe.TakeFiles());
        Assert.Equal(2, CountInterceptsLocations(run.Driver));
        Assert.Contains("(object)@this is global::App.ChargeStep", GeneratorHarness.GeneratedText(run.Driver), StringComparison.Ordinal);

        // The implementor stops implementing the interface: the call through it is no longer intercepted.
        compilation = Edit(compilation, "/proj/Implementors.cs", implementors.Replace(" : IAgent", string.Empty, StringComparison.Ordinal).Replace("public string Run", "[Sec0.Sec0Hop] public string Run", StringComparison.Ordinal));
        run = RunChecked(compilation, run.Driver);
        Assert.Equal(1, CountInterceptsLocations(run.Driver));
    }

    [Fact]
    public void Project_reference_body_edits_keep_models_and_surface_edits_retarget()
    {
        const string LibSource = """
            namespace Lib;

            public static class Remote
            {
                [Sec0.Sec0Hop]
                public static int Step(long x) => (int)x;
            }
            """;
        const string ConsumerSource = """
            namespace App;

            public static class Consumer
            {
                public static int M() => Lib.Remote.Step(1);
            }
            """;

        var name = UniqueName();
        var probe = new BindingProbe();
        var library = GeneratorHarness.CreateCompilation(new[] { ("/lib/Remote.cs", LibSource) }, "Lib" + name);
        CSharpCompilation Consumer(Compilation lib) => Create(name, ("/app/Consumer.cs", ConsumerSource)).AddReferences(lib.ToMetadataReference());

        var app = Consumer(library);
        var consumerTree = app.SyntaxTrees.Single();
        var run = GeneratorHarness.Run(app, probe.CreateDriver());
        GeneratorHarness.AssertNoErrors(run);
        Assert.Contains("long x)", GeneratorHarness.GeneratedText(run.Driver), StringComparison.Ordinal);
        Assert.NotEmpty(probe.TakeFiles());

        // A body edit in the referenced project: a new compilation, the same surface.
        library = Edit(library, "/lib/Remote.cs", LibSource.Replace("=> (int)x;", "=> (int)x + 1;", StringComparison.Ordinal));
        app = Create(name).AddSyntaxTrees(consumerTree).AddReferences(library.ToMetadataReference());
        run = GeneratorHarness.Run(app, run.Driver);
        GeneratorHarness.AssertNoErrors(run);
        Assert.Empty(probe.TakeFiles());

        // A new, more specific hop overload there: the unchanged call site binds again, to Step(int).
        library = Edit(library, "/lib/Remote.cs", LibSource.Replace("public static int Step(long x) => (int)x;", "public static int Step(long x) => (int)x;\n    [Sec0.Sec0Hop] public static int Step(int x) => x;", StringComparison.Ordinal));
        app = Create(name).AddSyntaxTrees(consumerTree).AddReferences(library.ToMetadataReference());
        run = GeneratorHarness.Run(app, run.Driver);
        GeneratorHarness.AssertNoErrors(run);
        Assert.NotEmpty(probe.TakeFiles());
        Assert.Contains("int x)", GeneratorHarness.GeneratedText(run.Driver).Replace("long x)", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("public int M() { return 1; }", "public int M() { return 2; /* x */ }")]
    [InlineData("public int M() => 1;", "public int M() => 2;")]
    [InlineData("public C() { _ = 1; }", "public C() { _ = 2; }")]
    [InlineData("public int P { get { return 1; } }", "public int P { get { return 2; } }")]
    [InlineData("public int P => 1;", "public int P => 2;")]
    [InlineData("public static C operator +(C a, C b) => a;", "public static C operator +(C a, C b) => b;")]
    public void Body_edits_keep_the_surface(string before, string after)
        => Assert.True(Surface(before).Equals(Surface(after)));

    [Theory]
    [InlineData("public int M() { return 1; }", "public long M() { return 1; }")]
    [InlineData("public int M() { return 1; }", "[System.Obsolete] public int M() { return 1; }")]
    [InlineData("public int M() { return 1; }", "public int M(int x) { return 1; }")]
    [InlineData("public const int N = 1;", "public const int N = 300;")]
    [InlineData("public int F = 1;", "public int F = 2;")]
    [InlineData("public int P { get; }", "public int P { get => 1; }")]
    [InlineData("public int P { get => 1; }", "public int P { get => field; }")]
    [InlineData("public int P { get => field + 1; }", "public int P { get => field + 2; }")]
    [InlineData("public string? M() { return null; }", "public string? M() {\n#nullable disable\n return null; }")]
    [InlineData("public void M(int x = 1) { }", "public void M(int x = 2) { }")]
    public void Declaration_edits_change_the_surface(string before, string after)
        => Assert.False(Surface(before).Equals(Surface(after)));

    [Fact]
    public void Bodies_of_types_with_a_primary_constructor_are_surface()
    {
        // A captured primary constructor parameter becomes a field (a struct is then no longer unmanaged).
        var before = DeclarationSurface.Compute(CSharpSyntaxTree.ParseText("struct S(string s) { public int M() => 1; }", GeneratorHarness.ParseOptions));
        var after = DeclarationSurface.Compute(CSharpSyntaxTree.ParseText("struct S(string s) { public int M() => s.Length; }", GeneratorHarness.ParseOptions));
        Assert.False(before.Equals(after));
    }

    [Fact]
    public void Partial_methods_with_and_without_a_body_differ()
        => Assert.False(Surface("partial void M();").Equals(Surface("partial void M() { }")));

    private static TreeSurface Surface(string member)
        => DeclarationSurface.Compute(CSharpSyntaxTree.ParseText("#nullable enable\npublic partial class C\n{\n    " + member + "\n}\n", GeneratorHarness.ParseOptions));

    private static int CountInterceptsLocations(GeneratorDriver driver)
        => GeneratorHarness.Generated(driver)
            .Sum(s => s.SourceText.ToString().Split("CompilerServices.InterceptsLocation").Length - 1);
}

using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Sec0.Generators.Model;
using Sec0.Generators.Tests.Infrastructure;

namespace Sec0.Generators.Tests;

/// <summary>
/// The driver is run, the compilation edited, and the driver run again: the tracked steps must report
/// the cheapest possible reasons (the IDE re-runs the generator on every keystroke).
/// </summary>
public class IncrementalityTests
{
    private const string HopsSource = """
        using Sec0;

        namespace App;

        public static class Agents
        {
            [Sec0Hop]
            public static int Run(int x)
            {
                return x + 1;
            }

            [Sec0Hop]
            public static string Go(string s) => s;
        }
        """;

    private const string CallsSource = """
        namespace App;

        public static class Calls
        {
            public static string M() => Agents.Go("a") + Agents.Run(1);
        }
        """;

    private const string UnrelatedSource = """
        namespace App;

        public static class Unrelated
        {
            public static int Max(int a, int b) => System.Math.Max(a, b);
        }
        """;

    private static readonly string[] OurSteps =
    {
        TrackingNames.HopDeclarations, TrackingNames.Hops, TrackingNames.McpToolDeclarations, TrackingNames.CallSiteCandidates, TrackingNames.CallSites, TrackingNames.CallSitesByFile,
        TrackingNames.ExternalHops, TrackingNames.DescriptorsByFile, TrackingNames.LocalDescriptorFields, TrackingNames.ExternalDescriptorFile,
        TrackingNames.DescriptorClass, TrackingNames.RuntimeAvailable, TrackingNames.McpTools,
    };

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) FirstRun()
    {
        var compilation = GeneratorHarness.CreateCompilation(new[]
        {
            ("/proj/Hops.cs", HopsSource), ("/proj/Calls.cs", CallsSource), ("/proj/Unrelated.cs", UnrelatedSource),
        });
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        return (driver, compilation);
    }

    private static CSharpCompilation Edit(CSharpCompilation compilation, string path, string newSource)
    {
        var old = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(newSource, GeneratorHarness.ParseOptions, path));
    }

    private static List<(object Value, IncrementalStepRunReason Reason)> Outputs(GeneratorDriver driver, string step)
        => driver.GetRunResult().Results.Single().TrackedSteps.TryGetValue(step, out var steps)
            ? steps.SelectMany(s => s.Outputs).ToList()
            : new List<(object, IncrementalStepRunReason)>();

    private static void AssertOnly(GeneratorDriver driver, string step, params IncrementalStepRunReason[] allowed)
    {
        var outputs = Outputs(driver, step);
        Assert.All(outputs, o => Assert.True(allowed.Contains(o.Reason), $"{step}: {o.Reason} for {o.Value}"));
    }

    private static void AssertDescriptorsReused(GeneratorDriver driver)
    {
        foreach (var step in new[] { TrackingNames.DescriptorsByFile, TrackingNames.LocalDescriptorFields, TrackingNames.ExternalDescriptorFile, TrackingNames.DescriptorClass })
        {
            AssertOnly(driver, step, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        }
    }

    private static string HashOf(GeneratorDriver driver, string key)
        => Outputs(driver, TrackingNames.Hops).Select(o => (DescriptorModel)o.Value).Single(h => h.Key == key).BodyHash;

    [Fact]
    public void Edit_in_an_unrelated_file_reuses_everything()
    {
        var (driver, compilation) = FirstRun();
        var before = GeneratorHarness.GeneratedText(driver);

        var edited = Edit(compilation, "/proj/Unrelated.cs", UnrelatedSource.Replace("System.Math.Max(a, b)", "System.Math.Min(a, b) + System.Math.Abs(b)", StringComparison.Ordinal));
        driver = driver.RunGenerators(edited);

        // ForAttributeWithMetadataName re-runs its transform against the new compilation (Unchanged); the
        // body hash of an unchanged declaration comes from a per-node cache, and nothing downstream runs.
        AssertOnly(driver, TrackingNames.HopDeclarations, IncrementalStepRunReason.Unchanged, IncrementalStepRunReason.Cached);
        AssertOnly(driver, TrackingNames.Hops, IncrementalStepRunReason.Cached);
        AssertOnly(driver, TrackingNames.CallSites, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertOnly(driver, TrackingNames.CallSitesByFile, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertDescriptorsReused(driver);
        AssertOnly(driver, TrackingNames.RuntimeAvailable, IncrementalStepRunReason.Unchanged, IncrementalStepRunReason.Cached);

        // Candidates in the edited file that are not hop calls are new, but null: nothing flows on.
        Assert.All(Outputs(driver, TrackingNames.CallSiteCandidates), o => Assert.True(o.Value is null || o.Reason is IncrementalStepRunReason.Unchanged or IncrementalStepRunReason.Cached));
        Assert.NotEmpty(Outputs(driver, TrackingNames.CallSites));
        Assert.Equal(before, GeneratorHarness.GeneratedText(driver));
    }

    [Fact]
    public void Comment_only_edit_in_a_hop_keeps_its_hash_and_the_output()
    {
        var (driver, compilation) = FirstRun();
        var hashBefore = HashOf(driver, "Agents.Run");
        var before = GeneratorHarness.GeneratedText(driver);

        var edited = Edit(compilation, "/proj/Hops.cs", HopsSource.Replace("return x + 1;", "return   x /* why */ +\t1; // the answer", StringComparison.Ordinal));
        driver = driver.RunGenerators(edited);

        // The declarations of the edited file were re-modelled, found equal, and nothing downstream ran.
        AssertOnly(driver, TrackingNames.HopDeclarations, IncrementalStepRunReason.Unchanged);
        Assert.Equal(2, Outputs(driver, TrackingNames.HopDeclarations).Count);
        AssertOnly(driver, TrackingNames.Hops, IncrementalStepRunReason.Cached);
        AssertOnly(driver, TrackingNames.CallSites, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertOnly(driver, TrackingNames.CallSitesByFile, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertDescriptorsReused(driver);
        Assert.Equal(hashBefore, HashOf(driver, "Agents.Run"));
        Assert.Equal(before, GeneratorHarness.GeneratedText(driver));
    }

    [Fact]
    public void Body_edit_in_a_hop_changes_its_hash_and_only_its_descriptor_file()
    {
        var (driver, compilation) = FirstRun();
        var hashBefore = HashOf(driver, "Agents.Run");
        var otherBefore = HashOf(driver, "Agents.Go");
        var interceptorsBefore = GeneratorHarness.Generated(driver).Single(s => s.HintName.Contains("Calls", StringComparison.Ordinal)).SourceText.ToString();

        var edited = Edit(compilation, "/proj/Hops.cs", HopsSource.Replace("return x + 1;", "return x + 2;", StringComparison.Ordinal));
        driver = driver.RunGenerators(edited);

        var declarations = Outputs(driver, TrackingNames.HopDeclarations);
        Assert.Equal(IncrementalStepRunReason.Modified, declarations.Single(o => ((DescriptorModel)o.Value).Key == "Agents.Run").Reason);
        Assert.Equal(IncrementalStepRunReason.Unchanged, declarations.Single(o => ((DescriptorModel)o.Value).Key == "Agents.Go").Reason);
        var hops = Outputs(driver, TrackingNames.Hops);
        Assert.Equal(IncrementalStepRunReason.Modified, hops.Single(o => ((DescriptorModel)o.Value).Key == "Agents.Run").Reason);
        Assert.Equal(IncrementalStepRunReason.Cached, hops.Single(o => ((DescriptorModel)o.Value).Key == "Agents.Go").Reason);
        Assert.Equal(IncrementalStepRunReason.Modified, Outputs(driver, TrackingNames.DescriptorsByFile).Single().Reason);
        AssertOnly(driver, TrackingNames.LocalDescriptorFields, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertOnly(driver, TrackingNames.DescriptorClass, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertOnly(driver, TrackingNames.CallSites, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertOnly(driver, TrackingNames.CallSitesByFile, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        Assert.NotEqual(hashBefore, HashOf(driver, "Agents.Run"));
        Assert.Equal(otherBefore, HashOf(driver, "Agents.Go"));
        Assert.Equal(interceptorsBefore, GeneratorHarness.Generated(driver).Single(s => s.HintName.Contains("Calls", StringComparison.Ordinal)).SourceText.ToString());
    }

    [Fact]
    public void Body_edit_in_a_hop_regenerates_only_the_descriptor_file_of_its_declaring_file()
    {
        const string moreHops = """
            using Sec0;

            namespace App;

            public static class Workers
            {
                [Sec0Hop]
                public static int Work(int x) => x * 2;

                [Sec0Hop("workers.rest")]
                public static void Rest()
                {
                }
            }
            """;
        const string calls = """
            namespace App;

            public static class Calls
            {
                public static string M()
                {
                    Workers.Rest();
                    return Agents.Go("a") + Agents.Run(1) + Workers.Work(2) + Lib.Remote.Ping(3);
                }
            }
            """;
        var library = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(
            new[] { ("/lib/Remote.cs", "namespace Lib; public static class Remote { [Sec0.Sec0Hop(\"lib.ping\")] public static int Ping(int x) => x; }") }, "Lib"));
        GeneratorHarness.AssertNoErrors(library);
        using var image = new MemoryStream();
        Assert.True(library.Output.Emit(image).Success);
        var compilation = GeneratorHarness.CreateCompilation(
            new[] { ("/proj/Hops.cs", HopsSource), ("/proj/MoreHops.cs", moreHops), ("/proj/Calls.cs", calls), ("/proj/Unrelated.cs", UnrelatedSource) },
            extraReferences: new[] { MetadataReference.CreateFromImage(image.ToArray()) });
        var run = GeneratorHarness.Run(compilation);
        GeneratorHarness.AssertNoErrors(run);
        var before = GeneratorHarness.Generated(run.Driver).ToDictionary(s => s.HintName, s => s.SourceText.ToString());
        var editedHint = Parsing.Naming.DescriptorsHintName("/proj/Hops.cs");
        Assert.Equal(
            new[] { "Sec0.HopDescriptors.External.g.cs", editedHint, Parsing.Naming.DescriptorsHintName("/proj/MoreHops.cs"), "Sec0.HopDescriptors.g.cs", Parsing.Naming.HintName("/proj/Calls.cs") }.Order(StringComparer.Ordinal),
            before.Keys.Order(StringComparer.Ordinal));
        var textsBefore = GeneratorHarness.Generated(run.Driver).ToDictionary(s => s.HintName, s => s.SourceText);

        run = GeneratorHarness.Run(Edit(compilation, "/proj/Hops.cs", HopsSource.Replace("return x + 1;", "return x + 2;", StringComparison.Ordinal)), run.Driver);
        GeneratorHarness.AssertNoErrors(run);
        var driver = run.Driver;

        // The edited file's descriptor model is new; the other declaring file's compares equal, and the
        // external descriptors, the local field names and the class head are reused.
        var byFile = Outputs(driver, TrackingNames.DescriptorsByFile).ToDictionary(o => ((DescriptorFileModel)o.Value).FilePath, o => o.Reason);
        Assert.Equal(2, byFile.Count);
        Assert.Equal(IncrementalStepRunReason.Modified, byFile["/proj/Hops.cs"]);
        Assert.Contains(byFile["/proj/MoreHops.cs"], new[] { IncrementalStepRunReason.Unchanged, IncrementalStepRunReason.Cached });
        AssertOnly(driver, TrackingNames.LocalDescriptorFields, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertOnly(driver, TrackingNames.ExternalDescriptorFile, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertOnly(driver, TrackingNames.DescriptorClass, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertOnly(driver, TrackingNames.CallSitesByFile, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);

        // Only that one generated file has new text.
        var after = GeneratorHarness.Generated(driver).ToDictionary(s => s.HintName, s => s.SourceText.ToString());
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new[] { editedHint }, after.Keys.Where(hint => before[hint] != after[hint]));
        Assert.DoesNotContain("Workers", after[editedHint], StringComparison.Ordinal);

        // Outputs that were not emitted again keep their SourceText object (the driver re-wraps every
        // generated text in a lazily parsed tree on each run, so tree identity says nothing).
        var textsAfter = GeneratorHarness.Generated(driver).ToDictionary(s => s.HintName, s => s.SourceText);
        foreach (var (hint, text) in textsBefore)
        {
            Assert.True(hint == editedHint ? !ReferenceEquals(text, textsAfter[hint]) : ReferenceEquals(text, textsAfter[hint]), hint);
        }
    }

    [Fact]
    public void Edit_in_a_calling_file_regenerates_only_that_file()
    {
        var (driver, compilation) = FirstRun();

        var edited = Edit(compilation, "/proj/Calls.cs", CallsSource.Replace("Agents.Go(\"a\")", "Agents.Go(\"b\")", StringComparison.Ordinal));
        driver = driver.RunGenerators(edited);

        AssertOnly(driver, TrackingNames.Hops, IncrementalStepRunReason.Cached);
        AssertDescriptorsReused(driver);
        // The file checksum inside InterceptsLocation data changed: that file's model is new.
        Assert.Contains(Outputs(driver, TrackingNames.CallSitesByFile), o => o.Reason is IncrementalStepRunReason.Modified or IncrementalStepRunReason.New);
    }

    private const string DispatchSource = """
        using Sec0;

        namespace App;

        public interface IAgent { string Act(string s); }

        public class OrderAgent : IAgent
        {
            [Sec0Hop]
            public string Act(string s)
            {
                HopGuard.Enter();
                return s;
            }
        }

        public static class Dispatched
        {
            public static string M(IAgent agent) => agent.Act("a");
        }
        """;

    [Fact]
    public void Dispatched_calls_and_guards_are_reused_after_an_unrelated_edit()
    {
        var compilation = GeneratorHarness.CreateCompilation(new[] { ("/proj/Dispatch.cs", DispatchSource), ("/proj/Unrelated.cs", UnrelatedSource) });
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var before = GeneratorHarness.GeneratedText(driver);
        var models = Outputs(driver, TrackingNames.CallSites).Select(o => (CallSiteModel)o.Value).ToList();
        Assert.Contains(models, m => m.Target is { Kind: TargetKind.Guard });
        Assert.Contains(models, m => m.Target is { Dispatch.Count: 1 });

        driver = driver.RunGenerators(Edit(compilation, "/proj/Unrelated.cs", UnrelatedSource.Replace("System.Math.Max(a, b)", "System.Math.Min(a, b)", StringComparison.Ordinal)));

        AssertOnly(driver, TrackingNames.CallSites, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertOnly(driver, TrackingNames.CallSitesByFile, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertDescriptorsReused(driver);
        Assert.Equal(before, GeneratorHarness.GeneratedText(driver));
    }

    [Fact]
    public void Models_hold_no_symbols_syntax_or_locations()
    {
        var (driver, compilation) = FirstRun();
        compilation = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(DispatchSource, GeneratorHarness.ParseOptions, "/proj/Dispatch.cs"));
        driver = driver.RunGenerators(Edit(compilation, "/proj/Hops.cs", HopsSource.Replace("x + 1", "x + 3", StringComparison.Ordinal)));
        var result = driver.GetRunResult().Results.Single();
        var checkedAny = false;
        foreach (var name in OurSteps)
        {
            if (!result.TrackedSteps.TryGetValue(name, out var steps))
            {
                continue;
            }

            foreach (var output in steps.SelectMany(s => s.Outputs))
            {
                checkedAny = true;
                AssertPlainData(output.Value, name, new HashSet<object>(ReferenceEqualityComparer.Instance));
            }
        }

        Assert.True(checkedAny);
    }

    private static void AssertPlainData(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum)
        {
            return;
        }

        var type = value.GetType();
        Assert.False(value is ISymbol || value is SyntaxNode || value is Location || value is SemanticModel || value is Compilation || value is SyntaxTree || value is SyntaxToken,
            $"{path} holds a {type.FullName}");
        Assert.True(type.Namespace?.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) != true, $"{path} holds a Roslyn type {type.FullName}");
        if (!type.IsValueType && !seen.Add(value))
        {
            return;
        }

        if (value is IEnumerable enumerable)
        {
            var i = 0;
            foreach (var item in enumerable)
            {
                AssertPlainData(item, $"{path}[{i++}]", seen);
            }

            return;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
        {
            AssertPlainData(property.GetValue(value), path + "." + property.Name, seen);
        }
    }
}

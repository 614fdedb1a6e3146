using System.Reflection;
using Microsoft.CodeAnalysis;
using Sec0.Generators.Tests.Infrastructure;
using Sec0.Generators.Tests.Snapshots;

namespace Sec0.Generators.Tests;

/// <summary>The generated source of every supported shape, compared with the committed snapshots; each also compiles clean.</summary>
public class SnapshotTests
{
    public static TheoryData<string> ShapeNames()
    {
        var data = new TheoryData<string>();
        foreach (var shape in Shapes.All)
        {
            data.Add(shape.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ShapeNames))]
    public void Each_shape_generates_its_snapshot(string name)
    {
        var shape = Shapes.All.Single(s => s.Name == name);
        var compilation = GeneratorHarness.CreateCompilation(new[] { ("/proj/Hops.cs", shape.Hops), ("/proj/Calls.cs", shape.Calls) });

        var run = GeneratorHarness.Run(compilation);

        GeneratorHarness.AssertNoErrors(run);
        Snapshot.Verify(GeneratorHarness.GeneratedText(run.Driver), "Shape." + name);
    }

    [Fact]
    public void Uninterceptable_calls_are_left_alone()
    {
        const string callsSource = """
            namespace App;

            public static class Calls
            {
                // Both bind to a [Sec0Hop] method: the base declaration and its override.
                public static int Run() => new Base().Compute() + new Derived().Compute();
            }
            """;
        var compilation = GeneratorHarness.CreateCompilation(new[] { ("/proj/Skipped.cs", Shapes.SkippedHops), ("/proj/Calls.cs", callsSource) });

        var run = GeneratorHarness.Run(compilation);

        GeneratorHarness.AssertNoErrors(run);
        var generated = GeneratorHarness.Generated(run.Driver);
        Assert.DoesNotContain(generated, file => file.HintName.StartsWith("Sec0.Interceptors.Skipped", StringComparison.Ordinal));
        Snapshot.Verify(GeneratorHarness.GeneratedText(run.Driver), "Skipped");

        // The skipped calls stay in the model with their reason (the analyzers report them).
        var models = run.Driver.GetRunResult().Results.Single().TrackedSteps[TrackingNames.CallSites]
            .SelectMany(step => step.Outputs)
            .Select(output => output.Value)
            .Cast<Model.CallSiteModel>()
            .ToList();
        var calls = models;
        Assert.Contains(calls, c => c.HopKey == "Base.Guarded" && c.SkipReason!.Contains("not accessible", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.HopKey == "Derived.Secret" && c.SkipReason!.Contains("not accessible", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.HopKey == "Base.Compute" && c.SkipReason!.Contains("expression trees", StringComparison.Ordinal));
        Assert.Equal(2, calls.Count(c => c.SkipReason is null && c.FilePath == "/proj/Calls.cs"));
        Assert.DoesNotContain(calls, c => c.SkipReason is null && c.FilePath == "/proj/Skipped.cs");
    }

    [Fact]
    public void Guards_are_bound_to_the_hop_whose_body_they_start()
    {
        const string source = """
            using Sec0;

            namespace App
            {
                public interface IPlanner
                {
                    [Sec0Hop] string Plan(string goal);
                }

                public class Planner : IPlanner
                {
                    // Implements a hop: its guard is the interface hop's.
                    public string Plan(string goal)
                    {
                        HopGuard.Enter();
                        return goal;
                    }
                }

                public class QuietPlanner : IPlanner
                {
                    string IPlanner.Plan(string goal)
                    {
                        Sec0.HopGuard.Enter();
                        return goal;
                    }
                }

                public class Step
                {
                    [Sec0Hop("step")]
                    public virtual int Execute(int x)
                    {
                        HopGuard.Enter();
                        HopGuard.Enter();
                        return x;
                    }
                }

                public class FastStep : Step
                {
                    // Overrides a hop: its guard is the overridden hop's.
                    public override int Execute(int x)
                    {
                        HopGuard.Enter();
                        return x * 2;
                    }
                }

                public static class NotHops
                {
                    public static void Plain() => HopGuard.Enter();

                    [Sec0Hop]
                    public static void Deferred()
                    {
                        HopGuard.Enter();
                        System.Action later = () => HopGuard.Enter();
                        later();
                    }
                }
            }
            """;
        var run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source, "/proj/Guards.cs"));

        GeneratorHarness.AssertNoErrors(run);
        Snapshot.Verify(GeneratorHarness.GeneratedText(run.Driver), "Guards");

        // Five guards bound (one per hop body, two in Step.Execute); the one outside a hop and the one in a lambda are not.
        var guards = run.Driver.GetRunResult().Results.Single().TrackedSteps[TrackingNames.CallSites]
            .SelectMany(step => step.Outputs)
            .Select(output => (Model.CallSiteModel)output.Value)
            .Where(call => call.Target?.Kind == Model.TargetKind.Guard)
            .Select(call => call.HopKey)
            .ToList();
        Assert.Equal(["IPlanner.Plan", "IPlanner.Plan", "step", "step", "step", "NotHops.Deferred"], guards);
    }

    [Fact]
    public void MCP_tools_and_hops_are_in_the_manifest()
    {
        const string source = """
            using Sec0;

            namespace ModelContextProtocol.Server
            {
                [System.AttributeUsage(System.AttributeTargets.Method)]
                public sealed class McpServerToolAttribute : System.Attribute
                {
                    public string? Name { get; set; }
                }
            }

            namespace App
            {
                using ModelContextProtocol.Server;

                public static class Tools
                {
                    [McpServerTool(Name = "get_weather")]
                    public static string Weather(string city) => "sunny in " + city;

                    [McpServerTool]
                    public static int Add(int a, int b) => a + b;

                    [Sec0Hop("tools.echo")]
                    public static string Echo(string text) => text;
                }
            }
            """;
        var run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source, "/proj/Tools.cs"));

        GeneratorHarness.AssertNoErrors(run);
        Snapshot.Verify(GeneratorHarness.GeneratedText(run.Driver), "Manifest");
    }

    [Fact]
    public void Generated_code_states_the_version_the_generator_was_built_with()
    {
        var shape = Shapes.All.First();
        var run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(new[] { ("/proj/Hops.cs", shape.Hops), ("/proj/Calls.cs", shape.Calls) }));

        // The package version (the generator and the runtime are built from one Version), without the SDK's +commit suffix.
        var informational = typeof(HopGenerator).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        var version = informational.Split('+')[0];
        Assert.Equal(version, typeof(Sec0HopAttribute).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0]);
        var attributes = GeneratorHarness.Generated(run.Driver)
            .SelectMany(file => file.SourceText.ToString().Split('\n'))
            .Where(line => line.Contains("GeneratedCode(", StringComparison.Ordinal))
            .Select(line => line.Trim())
            .Distinct()
            .ToList();
        Assert.Equal(new[] { "[global::System.CodeDom.Compiler.GeneratedCode(\"Sec0.Generators\", \"" + version + "\")]" }, attributes);
    }
}

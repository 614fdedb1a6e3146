using Microsoft.CodeAnalysis;
using static Sec0.Analyzers.Tests.Infrastructure.AnalyzerHarness;

namespace Sec0.Analyzers.Tests;

/// <summary>SEC0101, SEC0102 and the SEC0000 scorecard: what the generator will and will not intercept.</summary>
public class InterceptionRuleTests
{
    private const string Yaml = """
        app:
          tenant: demo
          environment: dev
          hops:
            Agent.Run: { type: skill, skill: s, nodeId: n }
            Agent.Compute: { type: skill, skill: s, nodeId: n }
            Derived.Compute: { type: skill, skill: s, nodeId: n }
        """;

    private const string Hops = """
        using Sec0;
        namespace App;
        public class Agent
        {
            [Sec0Hop] public int Run() => 1;
            [Sec0Hop] public virtual int Compute(int x) => x;
        }
        public class Derived : Agent
        {
            public override int Compute(int x) => base.Compute(x) + 1;
        }
        """;

    private static Task<System.Collections.Immutable.ImmutableArray<Diagnostic>> RunCallsAsync(string calls)
        => RunAsync([("/proj/Hops.cs", Hops), ("/proj/Calls.cs", calls)], Yaml);

    [Fact]
    public async Task Direct_calls_are_intercepted_and_not_reported()
    {
        const string calls = """
            namespace App;
            public static class Calls
            {
                public static int Direct(Agent agent, Agent? maybe) => agent.Run() + new Derived().Compute(2) + (maybe?.Run() ?? 0);
            }
            public class Self : Agent
            {
                public int Go() => Run() + this.Run();
            }
            """;

        var diagnostics = await RunCallsAsync(calls);

        Assert.DoesNotContain(diagnostics, d => d.Id == "SEC0101" && d.Location.SourceTree!.FilePath == "/proj/Calls.cs");
        Assert.Equal("Sec0 intercepted 5 of 6 hop call sites", Single(diagnostics, "SEC0000").GetMessage());
    }

    [Fact]
    public async Task SEC0101_method_group_is_reported_at_the_reference()
    {
        const string calls = """
            using System;
            namespace App;
            public static class Calls
            {
                public static Func<int> Later(Agent agent) => agent.Run;
            }
            """;

        var diagnostic = Assert.Single(await RunCallsAsync(calls), d => d.Id == "SEC0101" && d.Location.SourceTree!.FilePath == "/proj/Calls.cs");

        Assert.Equal("SEC0101 /proj/Calls.cs(5,51)", Format(diagnostic));
        Assert.Equal("This use of hop \"Agent.Run\" is not intercepted, so only the hop's HopGuard.Enter() can check it: a method group or delegate conversion calls the hop through the delegate, not through an interceptable call", diagnostic.GetMessage());
    }

    [Fact]
    public async Task SEC0101_expression_tree_is_reported_at_the_called_name()
    {
        const string calls = """
            using System;
            using System.Linq.Expressions;
            namespace App;
            public static class Calls
            {
                public static Expression<Func<Agent, int>> Tree() => a => a.Compute(1);
            }
            """;

        var diagnostic = Assert.Single(await RunCallsAsync(calls), d => d.Id == "SEC0101" && d.Location.SourceTree!.FilePath == "/proj/Calls.cs");

        Assert.Equal("SEC0101 /proj/Calls.cs(6,65)", Format(diagnostic));
        Assert.EndsWith(": calls inside expression trees cannot be intercepted", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SEC0101_base_call_is_reported()
    {
        var diagnostics = await RunCallsAsync("namespace App; public static class Calls { }");

        var diagnostic = Single(diagnostics, "SEC0101");
        Assert.Equal("SEC0101 /proj/Hops.cs(10,48)", Format(diagnostic));
        Assert.Contains("base. calls cannot be intercepted", diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Equal("Sec0 intercepted 0 of 1 hop call sites", Single(diagnostics, "SEC0000").GetMessage());
    }

    [Fact]
    public async Task SEC0101_parenthesized_callee_is_reported()
    {
        var diagnostics = await RunCallsAsync("namespace App; public static class Calls { public static int Go(Agent a) => ((a.Run))(); }");
        var diagnostic = Assert.Single(diagnostics, d => d.Id == "SEC0101" && d.Location.SourceTree!.FilePath == "/proj/Calls.cs");

        Assert.Contains(HopCompilationAnalysis.CalleeShapeReason, diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SEC0101_call_of_an_uninterceptable_hop_from_a_reference_carries_the_declaration_reason()
    {
        var library = CreateCompilation(
            [("/lib/Lib.cs", "using Sec0; namespace Lib; public class Store { private int _v; [Sec0Hop] public ref int Slot() => ref _v; }")],
            assemblyName: "Lib");
        const string calls = "namespace App; public static class Calls { public static int Go(Lib.Store s) => s.Slot(); }";

        var diagnostics = await RunAsync([("/proj/Calls.cs", calls)], yaml: null, extraReferences: [library.ToMetadataReference()]);

        var diagnostic = Single(diagnostics, "SEC0101");
        Assert.Equal("SEC0101 /proj/Calls.cs(1,83)", Format(diagnostic));
        Assert.EndsWith(": methods returning by reference are not intercepted", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SEC0101_call_on_a_type_parameter_that_may_be_a_struct_is_reported_and_one_known_to_be_a_class_is_intercepted()
    {
        const string source = """
            using Sec0;
            namespace App;
            public interface ICounter { int Next(); }
            public class OrderCounter : ICounter { [Sec0Hop] public int Next() { HopGuard.Enter(); return 1; } }
            public static class Calls
            {
                public static int Any<T>(T counter) where T : ICounter => counter.Next();
                public static int Class<T>(T counter) where T : class, ICounter => counter.Next();
            }
            """;

        var diagnostics = await RunAsync(source, yaml: null);

        var diagnostic = Single(diagnostics, "SEC0101");
        Assert.Equal("SEC0101 /proj/Hops.cs(7,71)", Format(diagnostic));
        Assert.EndsWith(": " + Sec0.Generators.Parsing.InterceptionRules.BoxedReceiverReason, diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Equal("Sec0 intercepted 1 of 2 hop call sites", Single(diagnostics, "SEC0000").GetMessage());
    }

    [Theory]
    [InlineData("[Sec0Hop] private void Hidden() { }", "Shapes.Hidden", "the hop method is not accessible to generated code (private or protected)")]
    [InlineData("[Sec0Hop] protected void Guarded() { }", "Shapes.Guarded", "the hop method is not accessible to generated code (private or protected)")]
    [InlineData("private int _v; [Sec0Hop] public ref int Slot() => ref _v;", "Shapes.Slot", "methods returning by reference are not intercepted")]
    [InlineData("public void Outer() { [Sec0Hop] void Local() { } Local(); }", "Local", "local functions cannot be intercepted (only ordinary methods can)")]
    [InlineData("public int Value { [Sec0Hop] get => 1; }", "get_Value", "accessors cannot be intercepted (only ordinary methods can)")]
    public async Task SEC0102_unsupported_shapes_are_reported_at_the_attribute(string member, string key, string reason)
    {
        var source = "using Sec0;\nnamespace App;\npublic class Shapes {\n" + member + "\n}";

        var diagnostics = await RunAsync(source, yaml: null);

        var diagnostic = Single(diagnostics, "SEC0102");
        var span = diagnostic.Location.GetLineSpan();
        Assert.Equal(("/proj/Hops.cs", 3), (span.Path, span.StartLinePosition.Line));
        Assert.Equal(member.IndexOf("Sec0Hop", StringComparison.Ordinal), span.StartLinePosition.Character);
        Assert.Equal($"Calls of \"{key}\" cannot be intercepted: {reason}", diagnostic.GetMessage());
    }

    [Fact]
    public async Task SEC0102_static_abstract_interface_member_is_reported()
    {
        const string source = "using Sec0;\nnamespace App;\npublic interface IShape {\n    [Sec0Hop] static abstract int Make();\n}";

        Assert.Equal(["SEC0102 /proj/Hops.cs(4,6)"], Only(await RunAsync(source, yaml: null), "SEC0102"));
    }

    [Fact]
    public async Task SEC0102_supported_shapes_are_not_reported()
    {
        // The generator intercepts calls of abstract, interface, static, generic and extension hops.
        const string source = """
            using System.Threading.Tasks;
            using Sec0;
            namespace App;
            public interface IAgent { [Sec0Hop] Task<int> RunAsync(); }
            public abstract class Base { [Sec0Hop] public abstract void Step(); }
            public static class Ext { [Sec0Hop] public static T Echo<T>(this T value) => value; }
            internal class Helpers { [Sec0Hop] internal static void Help(ref int x, System.Span<int> span) { } }
            """;

        Assert.Empty(Only(await RunAsync(source, yaml: null), "SEC0102"));
    }

    [Fact]
    public async Task SEC0000_is_hidden_and_counts_every_hop_call_site()
    {
        const string calls = """
            using System;
            namespace App;
            public static class Calls
            {
                public static int Go(Agent a)
                {
                    Func<int, int> f = a.Compute;
                    return a.Run() + a.Compute(1) + f(2);
                }
            }
            """;

        var diagnostic = Single(await RunCallsAsync(calls), "SEC0000");

        Assert.Equal(DiagnosticSeverity.Hidden, diagnostic.Severity);
        Assert.Equal(Location.None, diagnostic.Location);
        Assert.Equal("Sec0 intercepted 2 of 4 hop call sites", diagnostic.GetMessage());
    }
}

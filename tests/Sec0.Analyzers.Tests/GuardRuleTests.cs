using Sec0.Analyzers.CodeFixes;
using Sec0.Analyzers.Tests.Infrastructure;
using static Sec0.Analyzers.Tests.Infrastructure.AnalyzerHarness;

namespace Sec0.Analyzers.Tests;

/// <summary>SEC0103 (a hop body without HopGuard.Enter() first), SEC0104 (a guard the generator cannot bind) and the SEC0103 fix.</summary>
public class GuardRuleTests
{
    private const string Hops = """
        using System.Threading.Tasks;
        using Sec0;
        namespace App;
        public interface IPlanner { [Sec0Hop] string Plan(string goal); }
        public class Planner : IPlanner { public string Plan(string goal) => goal; }
        public class QuietPlanner : IPlanner { string IPlanner.Plan(string goal) { HopGuard.Enter(); return goal; } }
        public abstract class Step { [Sec0Hop] public abstract int Execute(int x); }
        public class ChargeStep : Step { public override int Execute(int x) { HopGuard.Enter(); return x; } }
        public class LateStep : Step { public override int Execute(int x) { x++; HopGuard.Enter(); return x; } }
        public class Agent
        {
            [Sec0Hop] public async Task<int> RunAsync() { HopGuard.Enter(); await Task.Yield(); return 1; }
            [Sec0Hop] public void Reset() { }
            [Sec0Hop] private void Hidden() { }
            public void Helper() { }
        }
        """;

    [Fact]
    public async Task SEC0103_is_reported_at_every_hop_body_that_does_not_start_with_the_guard()
    {
        var diagnostics = await RunAsync(Hops, yaml: null);

        // Planner.Plan implements a hop, LateStep.Execute overrides one (its guard is not first), Agent.Reset is one.
        // Interface and abstract members have no body; a private hop is SEC0102's.
        Assert.Equal(["SEC0103 /proj/Hops.cs(5,49)", "SEC0103 /proj/Hops.cs(9,52)", "SEC0103 /proj/Hops.cs(13,27)"], Only(diagnostics, "SEC0103"));
        Assert.Equal(
            "The body of hop \"IPlanner.Plan\" does not start with HopGuard.Enter(): a call that reaches it without its interceptor (reflection, dynamic, a delegate, another assembly) runs with no Sec0 check or audit",
            diagnostics.First(d => d.Id == "SEC0103").GetMessage());
        Assert.Empty(Only(diagnostics, "SEC0104"));
    }

    [Theory]
    [InlineData("public void Helper() { HopGuard.Enter(); }", "the method is not a [Sec0Hop] method")]
    [InlineData("[Sec0Hop] public void Run() { HopGuard.Enter(); System.Action later = () => HopGuard.Enter(); }", "it is not in the body of a method")]
    [InlineData("[Sec0Hop] public void Run() { HopGuard.Enter(); void Local() => HopGuard.Enter(); Local(); }", "it is not in the body of a method")]
    [InlineData("public int Value { get { HopGuard.Enter(); return 1; } }", "it is not in the body of a method")]
    public async Task SEC0104_a_guard_the_generator_cannot_bind_is_an_error(string member, string reason)
    {
        var source = "using Sec0;\nnamespace App;\npublic class Shapes {\n" + member + "\n}";

        var diagnostics = await RunAsync(source, yaml: null);

        var diagnostic = Single(diagnostics, "SEC0104");
        Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.StartsWith("HopGuard.Enter() always throws here: " + reason, diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Equal(member.LastIndexOf("HopGuard.Enter()", StringComparison.Ordinal), diagnostic.Location.GetLineSpan().StartLinePosition.Character);
    }

    [Theory]
    [InlineData(
        "[Sec0Hop] public int Run(int x) => x + 1;",
        "[Sec0Hop]\n    public int Run(int x)\n    {\n        HopGuard.Enter();\n        return x + 1;\n    }")]
    [InlineData(
        "[Sec0Hop] public void Reset() => _count = 0;",
        "[Sec0Hop]\n    public void Reset()\n    {\n        HopGuard.Enter();\n        _count = 0;\n    }")]
    [InlineData(
        "[Sec0Hop] public async Task WaitAsync() => await Task.Yield();",
        "[Sec0Hop]\n    public async Task WaitAsync()\n    {\n        HopGuard.Enter();\n        await Task.Yield();\n    }")]
    [InlineData(
        "[Sec0Hop]\n    public int Count()\n    {\n        _count++;\n        HopGuard.Enter();\n        return _count;\n    }",
        "[Sec0Hop]\n    public int Count()\n    {\n        HopGuard.Enter();\n        _count++;\n        return _count;\n    }")]
    public async Task SEC0103_fix_makes_the_guard_the_first_statement(string before, string after)
    {
        const string head = "using System.Threading.Tasks;\nusing Sec0;\nnamespace App;\npublic class Agent\n{\n    private int _count;\n\n    ";
        using var harness = new CodeFixHarness(head + before + "\n}\n", "app:\n  tenant: demo\n");

        var title = await harness.ApplyFixAsync(new AddHopGuardCodeFixProvider(), "SEC0103");

        Assert.Equal("Start the hop with HopGuard.Enter()", title);
        Assert.Equal(head + after + "\n}\n", await harness.SourceTextAsync());
        Assert.DoesNotContain(await harness.DiagnosticsAsync(), d => d.Id is "SEC0103" or "SEC0104");
    }

    [Fact]
    public async Task SEC0103_fix_qualifies_the_guard_where_Sec0_is_not_imported()
    {
        const string source = "namespace App;\npublic class Agent\n{\n    [Sec0.Sec0Hop] public int Run() => 1;\n}\n";
        using var harness = new CodeFixHarness(source, "app:\n  tenant: demo\n");

        await harness.ApplyFixAsync(new AddHopGuardCodeFixProvider(), "SEC0103");

        Assert.Contains("        Sec0.HopGuard.Enter();\n        return 1;", await harness.SourceTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(await harness.DiagnosticsAsync(), d => d.Id is "SEC0103" or "SEC0104");
    }
}

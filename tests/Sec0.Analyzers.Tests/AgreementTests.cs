using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Sec0.Analyzers.Tests.Infrastructure;
using Sec0.Config;
using Sec0.Generators;
using static Sec0.Analyzers.Tests.Infrastructure.AnalyzerHarness;

namespace Sec0.Analyzers.Tests;

/// <summary>The analyzers say what the runtime loader and the generator do: the same texts, the same interceptions.</summary>
public class AgreementTests
{
    private const string Tail = "controlPlane:\n  sec0Dir: ./.sec0\n  localSignerPath: ./.sec0/keys/ed25519.key\n";

    [Theory]
    [InlineData("app:\n  tenant: demo\n")]
    [InlineData("app:\n  tenant: demo\n  environment: QA\n")]
    [InlineData("app:\n  tenant: demo\n  environment: dev\n  hops:\n    A.Run:\n")]
    [InlineData("app:\n  tenant: demo\n  environment: dev\n  hops:\n    A.Run: { type: bot }\n")]
    [InlineData("app:\n  tenant: demo\n  environment: dev\n  hops:\n    A.Run: { type: agent, nodeId: a, agentName: a }\n")]
    [InlineData("app:\n  tenant: demo\n  environment: dev\n  hops:\n    A.Run: { type: gateway, gateway: g, nodeId: a }\n")]
    [InlineData("app:\n  tenant: demo\n  environment: dev\n  hops:\n    A.Run: { type: middleware, middleware: m, nodeId: a }\n")]
    [InlineData("app:\n  tenant: demo\n  environment: dev\n  hops:\n    A.Run: 3\n")]
    [InlineData("app:\n  tenant: demo\n  environment: [dev\n")]
    [InlineData("app:\n  tenant: demo\n  environment: dev\n  hops: {\n")]
    [InlineData("app:\n  tenant: demo\n  environment: dev\n  hops:\n    A.Run: { <<: 3, type: agent }\n")]
    [InlineData("app:\n  tenant: demo\n  environment: dev\n  hops:\n    A.Run: { <<: [{ nodeId: a }, x], type: agent }\n")]
    public async Task Config_problems_carry_the_runtime_loaders_text(string yaml)
    {
        var text = yaml + Tail;
        var loaderError = Assert.Throws<Sec0ConfigException>(() => Sec0ConfigLoader.Parse(text, ConfigPath, new Sec0ConfigLoadOptions { CheckSigningKeyExists = false }));

        var diagnostics = await RunAsync("namespace App; public class C { }", text);

        Assert.Contains(diagnostics.Where(d => d.Id is "SEC0004" or "SEC0005" or "SEC0007"), d => d.GetMessage() == loaderError.Message);
    }

    [Fact]
    public async Task A_valid_config_loads_at_run_time_and_has_no_config_diagnostics()
    {
        var text = File.ReadAllText(Path.Combine(FindRepositoryRoot(), "sec0.config.yaml"));
        Sec0ConfigLoader.Parse(text, ConfigPath, new Sec0ConfigLoadOptions { CheckSigningKeyExists = false });

        var diagnostics = await RunAsync("namespace App; public class C { }", text);

        Assert.DoesNotContain(diagnostics, d => d.Id is "SEC0004" or "SEC0005" or "SEC0007");
    }

    [Fact]
    public async Task The_scorecard_counts_what_the_generator_intercepts()
    {
        const string hops = """
            using System;
            using System.Linq.Expressions;
            using Sec0;
            namespace App;
            public class Agent
            {
                [Sec0Hop] public int Run() => 1;
                [Sec0Hop] public virtual int Compute(int x) => x;
                [Sec0Hop] private int Hidden() => 2;
                public int UseHidden() => Hidden();
            }
            public class Derived : Agent
            {
                public override int Compute(int x) => base.Compute(x) + 1;
            }
            public static class Calls
            {
                public static int Go(Agent a, Agent? b)
                {
                    Func<int> later = a.Run;
                    Expression<Func<Agent, int>> tree = x => x.Run();
                    return a.Run() + a.Compute(1) + (b?.Run() ?? 0) + new Derived().Compute(3) + ((a.Run))() + later();
                }
            }
            """;
        var interceptors = GeneratedInterceptors(hops);

        var diagnostics = await RunAsync(hops, yaml: null);

        var scorecard = Single(diagnostics, "SEC0000").GetMessage();
        Assert.Equal($"Sec0 intercepted {interceptors} of 9 hop call sites", scorecard);
        Assert.Equal(4, interceptors);
        Assert.Equal(4, diagnostics.Count(d => d.Id == "SEC0101"));
        Assert.Single(diagnostics, d => d.Id == "SEC0102");
    }

    [Fact]
    public async Task The_scorecard_counts_calls_through_dispatch_as_the_generator_does()
    {
        const string source = """
            using System;
            using Sec0;
            namespace App;
            public interface IAgent { int Run(); }
            public class OrderAgent : IAgent { [Sec0Hop] public int Run() => 1; }
            public interface IPlanner { [Sec0Hop] int Plan(); }
            public class Planner : IPlanner { public int Plan() => 2; }
            public abstract class Step { public abstract int Execute(); }
            public class ChargeStep : Step { [Sec0Hop] public override int Execute() => 3; }
            public interface IQuiet { int Hush(); }
            public static class Calls
            {
                public static int Go(IAgent agent, Step step, IQuiet quiet)
                {
                    Func<int> later = agent.Run;
                    return agent.Run() + new Planner().Plan() + step.Execute() + quiet.Hush() + later();
                }
            }
            """;

        var interceptors = GeneratedInterceptors(source);
        var diagnostics = await RunAsync(source, yaml: null);

        // Intercepted: agent.Run() (dispatch), Planner.Plan() (implements a hop), step.Execute() (dispatch).
        // Reported: the method group agent.Run. Not a hop call: quiet.Hush().
        Assert.Equal(3, interceptors);
        Assert.Equal($"Sec0 intercepted {interceptors} of 4 hop call sites", Single(diagnostics, "SEC0000").GetMessage());
        var reported = Single(diagnostics, "SEC0101");
        Assert.StartsWith("This use of hop \"OrderAgent.Run\" is not intercepted", reported.GetMessage(), StringComparison.Ordinal);
    }

    /// <summary>How many call sites the generator intercepts in <paramref name="source"/>.</summary>
    private static int GeneratedInterceptors(string source)
    {
        var parseOptions = AnalyzerHarness.ParseOptions.WithFeatures([new KeyValuePair<string, string>("InterceptorsNamespaces", "Sec0.Generated")]);
        var compilation = CreateCompilation([("/proj/Hops.cs", source)]);
        compilation = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees[0], CSharpSyntaxTree.ParseText(source, parseOptions, "/proj/Hops.cs"));
        CSharpGeneratorDriver.Create([new HopGenerator().AsSourceGenerator()], parseOptions: parseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var generated, out _);
        Assert.Empty(generated.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        return generated.SyntaxTrees
            .Where(tree => !ReferenceEquals(tree, compilation.SyntaxTrees[0]))
            .Sum(tree => CountOf(tree.ToString(), "[global::System.Runtime.CompilerServices.InterceptsLocation"));
    }

    /// <summary>How often <paramref name="value"/> occurs in <paramref name="text"/>.</summary>
    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var index = text.IndexOf(value, StringComparison.Ordinal); index >= 0; index = text.IndexOf(value, index + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Sec0.Instrumentation.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Sec0.Instrumentation.sln not found above " + AppContext.BaseDirectory);
    }
}

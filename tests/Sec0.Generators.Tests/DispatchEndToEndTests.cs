using Sec0.Generators.Tests.Infrastructure;

namespace Sec0.Generators.Tests;

/// <summary>
/// Hops reached through virtual and interface dispatch, run against the real runtime: a hop called
/// through an interface it implements (the DI pattern), a <c>[Sec0Hop]</c> interface member called on
/// the concrete class, and an override called through a base reference. Each call is decided by its
/// interceptor and leaves one envelope with the hop's key; calls that reach no hop leave none.
/// </summary>
[Collection(nameof(RunTests))]
public sealed class DispatchEndToEndTests
{
    private const string Source = """
        using Sec0;

        namespace App;

        public interface IAgent { string Run(string order); }

        public class OrderAgent : IAgent
        {
            [Sec0Hop] public string Run(string order) => "order:" + order;
        }

        public sealed class PlainAgent : IAgent
        {
            public string Run(string order) => "plain:" + order;
        }

        public interface IPlanner { [Sec0Hop] string Plan(string goal); }

        public class Planner : IPlanner
        {
            public string Plan(string goal) => "plan:" + goal;
        }

        public abstract class Step
        {
            public abstract string Execute(string input);
        }

        public class ChargeStep : Step
        {
            [Sec0Hop] public override string Execute(string input) => "charged:" + input;
        }

        public class RefundStep : ChargeStep
        {
            [Sec0Hop("refund")] public override string Execute(string input) => "refunded:" + input;
        }

        public class LogStep : Step
        {
            public override string Execute(string input) => "logged:" + input;
        }

        public static class Entry
        {
            public static string ViaInterface() { IAgent agent = new OrderAgent(); return agent.Run("a"); }

            public static string PlainViaInterface() { IAgent agent = new PlainAgent(); return agent.Run("p"); }

            public static string InterfaceHopOnConcreteClass() => new Planner().Plan("g");

            public static string InterfaceHopThroughInterface() { IPlanner planner = new Planner(); return planner.Plan("i"); }

            public static string ViaBase() { Step step = new ChargeStep(); return step.Execute("5"); }

            public static string MostDerivedHopViaBase() { Step step = new RefundStep(); return step.Execute("6"); }

            public static string PlainViaBase() { Step step = new LogStep(); return step.Execute("7"); }
        }
        """;

    private const string Hops = """
        OrderAgent.Run: { type: skill, nodeId: order, skill: order }
        IPlanner.Plan: { type: skill, nodeId: plan, skill: plan }
        ChargeStep.Execute: { type: skill, nodeId: charge, skill: charge }
        refund: { type: skill, nodeId: refund, skill: refund }
        """;

    [Theory]
    [InlineData("ViaInterface", "order:a", "OrderAgent.Run")]
    [InlineData("InterfaceHopOnConcreteClass", "plan:g", "IPlanner.Plan")]
    [InlineData("InterfaceHopThroughInterface", "plan:i", "IPlanner.Plan")]
    [InlineData("ViaBase", "charged:5", "ChargeStep.Execute")]
    [InlineData("MostDerivedHopViaBase", "refunded:6", "refund")]
    public void A_call_through_dispatch_is_decided_and_audited_as_the_hop_it_reaches(string entry, string expected, string key)
    {
        using var asm = LoadedAssembly.Load(("/proj/App.cs", Source));
        using var app = new AuditedApp(Hops);

        Assert.Equal(expected, asm.Call("App.Entry", entry));

        var envelope = Assert.Single(app.Envelopes());
        Assert.Equal(key, envelope.GetProperty("hop").GetString());
        Assert.Equal("allow", envelope.GetProperty("policy").GetProperty("decision").GetString());
        Assert.Equal("ok", envelope.GetProperty("status").GetString());
        Assert.StartsWith("sha256:v1:", envelope.GetProperty("hop_hash").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PlainViaInterface", "plain:p")]
    [InlineData("PlainViaBase", "logged:7")]
    public void A_dispatched_call_that_reaches_no_hop_runs_unaudited(string entry, string expected)
    {
        using var asm = LoadedAssembly.Load(("/proj/App.cs", Source));
        using var app = new AuditedApp(Hops);

        Assert.Equal(expected, asm.Call("App.Entry", entry));

        Assert.Empty(app.Envelopes());
    }

    [Fact]
    public void A_call_on_a_type_parameter_that_may_be_a_struct_is_not_intercepted_so_the_struct_keeps_its_changes()
    {
        const string source = """
            using Sec0;

            namespace App;

            public interface ICounter { int Next(); }

            public interface ITally { [Sec0Hop] int Add(); }

            public class OrderCounter : ICounter { [Sec0Hop] public int Next() => 1; }

            public struct Counter : ICounter, ITally
            {
                public int N;

                public int Next() => ++N;

                public int Add() => ++N;
            }

            public static class Entry
            {
                public static int Next<T>(ref T counter) where T : ICounter => counter.Next();

                public static int Add<T>(ref T tally) where T : struct, ITally => tally.Add();

                public static int InPlace()
                {
                    var counter = new Counter();
                    Next(ref counter);
                    Add(ref counter);
                    return counter.N;
                }
            }
            """;
        var run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(new[] { ("/proj/App.cs", source) }));
        GeneratorHarness.AssertNoErrors(run);

        // Neither call is intercepted (SEC0101 reports them with the reason); the hops' guards would decide them.
        Assert.DoesNotContain(GeneratorHarness.Generated(run.Driver), file => file.HintName.StartsWith("Sec0.Interceptors.", StringComparison.Ordinal));
        using var asm = new LoadedAssembly(run.Output);
        using var app = new AuditedApp("OrderCounter.Next: { type: skill, nodeId: n, skill: n }\nITally.Add: { type: skill, nodeId: a, skill: a }");

        // Boxed by an interceptor, the struct's increments would be lost (0 instead of 2).
        Assert.Equal(2, asm.Call("App.Entry", "InPlace"));
    }

    [Fact]
    public void A_denied_hop_reached_through_an_interface_does_not_run()
    {
        const string policy = """
            tenant: demo
            tools: { allowlist: ["mcp://ledger/*@*"] }
            """;
        const string hops = """
            OrderAgent.Run:
              type: tool
              nodeId: order
              server: orders
              tool: run
              enforcement: { mode: enforce, deny_on: [tool_not_in_allowlist] }
            """;
        using var asm = LoadedAssembly.Load(("/proj/App.cs", Source));
        using var app = new AuditedApp(hops, policy);

        var denied = Assert.Throws<Sec0PolicyDeniedException>(() => asm.Call("App.Entry", "ViaInterface"));

        Assert.Equal("tool_not_in_allowlist", denied.Violation);
        var envelope = Assert.Single(app.Envelopes());
        Assert.Equal("deny", envelope.GetProperty("policy").GetProperty("decision").GetString());
    }
}

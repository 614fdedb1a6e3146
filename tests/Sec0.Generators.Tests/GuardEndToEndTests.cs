using System.Text.Json;
using Microsoft.CodeAnalysis;
using Sec0.Generators.Tests.Infrastructure;

namespace Sec0.Generators.Tests;

/// <summary>
/// <c>HopGuard.Enter()</c> against the real runtime: a call its interceptor decided passes the guard (one
/// envelope, no second decision); a call that reaches the body without one (reflection, <c>dynamic</c>, a
/// delegate, an assembly built without the generator) is decided and audited by the guard with the reason
/// <c>unintercepted_call</c>, and fails closed when <c>deny_on</c> lists it. Iterator, async-iterator and
/// async hops included.
/// </summary>
[Collection(nameof(RunTests))]
public sealed class GuardEndToEndTests
{
    private const string Source = """
        using System;
        using System.Collections.Generic;
        using System.Reflection;
        using System.Threading.Tasks;
        using Sec0;

        namespace App;

        public interface IAgent { string Run(string order); }

        public class OrderAgent : IAgent
        {
            public static int Runs;

            [Sec0Hop]
            public string Run(string order)
            {
                HopGuard.Enter();
                Runs++;
                return "order:" + order;
            }
        }

        public class Streams
        {
            [Sec0Hop]
            public IEnumerable<int> Numbers(int count)
            {
                HopGuard.Enter();
                for (var i = 1; i <= count; i++)
                {
                    yield return i;
                }
            }

            [Sec0Hop]
            public async IAsyncEnumerable<int> NumbersAsync(int count)
            {
                HopGuard.Enter();
                for (var i = 1; i <= count; i++)
                {
                    await Task.Yield();
                    yield return i;
                }
            }

            [Sec0Hop]
            public async Task<int> CountAsync(int count)
            {
                HopGuard.Enter();
                await Task.Yield();
                return count;
            }
        }

        public class Step
        {
            [Sec0Hop("step")]
            public virtual int Execute(int x)
            {
                HopGuard.Enter();
                return x + 1;
            }

            [Sec0Hop("step.async")]
            public virtual async Task<int> ExecuteAsync(int x)
            {
                HopGuard.Enter();
                await Task.Yield();
                return x + 1;
            }
        }

        public class FastStep : Step
        {
            public override int Execute(int x)
            {
                HopGuard.Enter();
                return base.Execute(x) * 2;
            }

            public override async Task<int> ExecuteAsync(int x)
            {
                HopGuard.Enter();
                await Task.Yield();
                return await base.ExecuteAsync(x) * 2;
            }
        }

        public static class Entry
        {
            public static async Task<int> OverrideCallingBase()
            {
                Step step = new FastStep();
                return step.Execute(1) + await step.ExecuteAsync(2);
            }

            public static int OverrideCallingBaseViaReflection()
                => (int)typeof(FastStep).GetMethod("Execute")!.Invoke(new FastStep(), new object[] { 3 })!;

            public static string Direct() => new OrderAgent().Run("d");

            public static string ViaInterface() { IAgent agent = new OrderAgent(); return agent.Run("i"); }

            public static string ViaReflection()
                => (string)typeof(OrderAgent).GetMethod("Run")!.Invoke(new OrderAgent(), BindingFlags.DoNotWrapExceptions, null, new object[] { "r" }, null)!;

            public static string ViaDelegate() { Func<string, string> run = new OrderAgent().Run; return run("f"); }

            public static string ViaDynamic() { dynamic agent = new OrderAgent(); return agent.Run("y"); }

            public static int Runs() => OrderAgent.Runs;

            public static int Numbers()
            {
                var numbers = new Streams().Numbers(3);
                var sum = 0;
                foreach (var i in numbers) sum += i;
                foreach (var i in numbers) sum += i;
                return sum;
            }

            public static int NumbersViaReflection()
            {
                var numbers = (IEnumerable<int>)typeof(Streams).GetMethod("Numbers")!.Invoke(new Streams(), new object[] { 2 })!;
                var sum = 0;
                foreach (var i in numbers) sum += i;
                return sum;
            }

            public static async Task<int> NumbersAsync()
            {
                var sum = 0;
                await foreach (var i in new Streams().NumbersAsync(3)) sum += i;
                return sum;
            }

            public static async Task<int> NumbersAsyncViaDelegate()
            {
                Func<int, IAsyncEnumerable<int>> numbers = new Streams().NumbersAsync;
                var sum = 0;
                await foreach (var i in numbers(2)) sum += i;
                return sum;
            }

            public static Task<int> CountAsync() => new Streams().CountAsync(4);

            public static Task<int> CountAsyncViaDelegate() { Func<int, Task<int>> count = new Streams().CountAsync; return count(5); }
        }
        """;

    private const string Hops = """
        OrderAgent.Run: { type: skill, nodeId: order, skill: order }
        Streams.Numbers: { type: skill, nodeId: numbers, skill: numbers }
        Streams.NumbersAsync: { type: skill, nodeId: numbers-async, skill: numbers-async }
        Streams.CountAsync: { type: skill, nodeId: count, skill: count }
        step: { type: skill, nodeId: step, skill: step }
        step.async: { type: skill, nodeId: step-async, skill: step-async }
        """;

    private static void AssertDecidedByInterceptor(JsonElement envelope)
    {
        Assert.Equal("allow", envelope.GetProperty("policy").GetProperty("decision").GetString());
        Assert.False(envelope.TryGetProperty("decision_reason", out _), envelope.ToString());
    }

    private static void AssertDecidedByGuard(JsonElement envelope, string decision = "allow")
    {
        Assert.Equal(decision, envelope.GetProperty("policy").GetProperty("decision").GetString());
        Assert.Equal("unintercepted_call", envelope.GetProperty("policy").GetProperty("reason").GetString());
        Assert.Equal("unintercepted_call", envelope.GetProperty("decision_reason").GetString());
        Assert.Contains("unintercepted_call", envelope.GetProperty("risk_tags").EnumerateArray().Select(tag => tag.GetString()));
        Assert.Contains("audit_gap", envelope.GetProperty("risk_categories").EnumerateArray().Select(tag => tag.GetString()));
    }

    [Theory]
    [InlineData("Direct", "order:d")]
    [InlineData("ViaInterface", "order:i")]
    public void An_intercepted_call_passes_the_guard_with_one_envelope(string entry, string expected)
    {
        using var asm = LoadedAssembly.Load(("/proj/App.cs", Source));
        using var app = new AuditedApp(Hops);

        Assert.Equal(expected, asm.Call("App.Entry", entry));

        AssertDecidedByInterceptor(Assert.Single(app.Envelopes()));
    }

    [Theory]
    [InlineData("ViaReflection", "order:r")]
    [InlineData("ViaDelegate", "order:f")]
    [InlineData("ViaDynamic", "order:y")]
    public void A_call_that_bypasses_the_interceptor_is_decided_and_audited_by_the_guard(string entry, string expected)
    {
        using var asm = LoadedAssembly.Load(("/proj/App.cs", Source));
        using var app = new AuditedApp(Hops);

        Assert.Equal(expected, asm.Call("App.Entry", entry));

        var envelope = Assert.Single(app.Envelopes());
        Assert.Equal("OrderAgent.Run", envelope.GetProperty("hop").GetString());
        Assert.Equal("ok", envelope.GetProperty("status").GetString());
        AssertDecidedByGuard(envelope);
    }

    [Theory]
    [InlineData("ViaReflection")]
    [InlineData("ViaDelegate")]
    [InlineData("ViaDynamic")]
    public void Deny_on_unintercepted_call_fails_such_a_call_closed_before_the_body_runs(string entry)
    {
        const string hops = """
            OrderAgent.Run:
              type: skill
              nodeId: order
              skill: order
              enforcement: { mode: enforce, deny_on: [unintercepted_call] }
            """;
        using var asm = LoadedAssembly.Load(("/proj/App.cs", Source));
        using var app = new AuditedApp(hops);

        var denied = Assert.Throws<Sec0PolicyDeniedException>(() => asm.Call("App.Entry", entry));

        Assert.Equal("unintercepted_call", denied.Violation);
        Assert.Equal(0, asm.Call("App.Entry", "Runs"));
        var envelope = Assert.Single(app.Envelopes());
        AssertDecidedByGuard(envelope, "deny");
        Assert.Equal("error", envelope.GetProperty("status").GetString());

        // The intercepted call of the same hop is unaffected.
        Assert.Equal("order:d", asm.Call("App.Entry", "Direct"));
        Assert.Equal(1, asm.Call("App.Entry", "Runs"));
    }

    [Fact]
    public void Observe_mode_records_an_unintercepted_call_as_would_deny_and_runs_it()
    {
        const string hops = """
            OrderAgent.Run:
              type: skill
              nodeId: order
              skill: order
              enforcement: { mode: observe, deny_on: [unintercepted_call] }
            """;
        using var asm = LoadedAssembly.Load(("/proj/App.cs", Source));
        using var app = new AuditedApp(hops);

        Assert.Equal("order:r", asm.Call("App.Entry", "ViaReflection"));

        AssertDecidedByGuard(Assert.Single(app.Envelopes()), "would_deny");
    }

    [Fact]
    public async Task An_override_that_calls_base_is_one_decided_call_before_and_after_an_await()
    {
        using var asm = LoadedAssembly.Load(("/proj/App.cs", Source));
        using var app = new AuditedApp(Hops);

        Assert.Equal(4 + 6, await (Task<int>)asm.Call("App.Entry", "OverrideCallingBase")!);
        var envelopes = app.Envelopes();
        Assert.Equal(["step", "step.async"], envelopes.Select(e => e.GetProperty("hop").GetString()).Order(StringComparer.Ordinal));
        Assert.All(envelopes, AssertDecidedByInterceptor);

        // Reached through reflection, the override's guard decides it and ends its call at once, so the base
        // body's guard decides the base call again (docs/interception.md, "checked less precisely").
        Assert.Equal(8, asm.Call("App.Entry", "OverrideCallingBaseViaReflection"));
        var unintercepted = app.Envelopes().Skip(2).ToList();
        Assert.Equal(2, unintercepted.Count);
        Assert.All(unintercepted, e => AssertDecidedByGuard(e));
    }

    [Fact]
    public async Task Iterator_async_iterator_and_async_hops_pass_their_guard_when_intercepted()
    {
        using var asm = LoadedAssembly.Load(("/proj/App.cs", Source));
        using var app = new AuditedApp(Hops);

        // The iterator is enumerated twice: each enumeration runs the body (and its guard) again.
        Assert.Equal(12, asm.Call("App.Entry", "Numbers"));
        Assert.Equal(6, await (Task<int>)asm.Call("App.Entry", "NumbersAsync")!);
        Assert.Equal(4, await (Task<int>)asm.Call("App.Entry", "CountAsync")!);

        var envelopes = app.Envelopes();
        Assert.Equal(["Streams.CountAsync", "Streams.Numbers", "Streams.NumbersAsync"], envelopes.Select(e => e.GetProperty("hop").GetString()).Order(StringComparer.Ordinal));
        Assert.All(envelopes, AssertDecidedByInterceptor);
    }

    [Fact]
    public async Task Iterator_async_iterator_and_async_hops_decide_an_unintercepted_call_in_their_guard()
    {
        using var asm = LoadedAssembly.Load(("/proj/App.cs", Source));
        using var app = new AuditedApp(Hops);

        Assert.Equal(3, asm.Call("App.Entry", "NumbersViaReflection"));
        Assert.Equal(3, await (Task<int>)asm.Call("App.Entry", "NumbersAsyncViaDelegate")!);
        Assert.Equal(5, await (Task<int>)asm.Call("App.Entry", "CountAsyncViaDelegate")!);

        var envelopes = app.Envelopes();
        Assert.Equal(["Streams.CountAsync", "Streams.Numbers", "Streams.NumbersAsync"], envelopes.Select(e => e.GetProperty("hop").GetString()).Order(StringComparer.Ordinal));
        Assert.All(envelopes, e => AssertDecidedByGuard(e));
    }

    [Fact]
    public async Task A_denied_unintercepted_iterator_or_async_call_fails_at_its_first_step()
    {
        const string hops = """
            Streams.Numbers: { type: skill, nodeId: n, skill: n, enforcement: { deny_on: [unintercepted_call] } }
            Streams.NumbersAsync: { type: skill, nodeId: n, skill: n, enforcement: { deny_on: [unintercepted_call] } }
            Streams.CountAsync: { type: skill, nodeId: c, skill: c, enforcement: { deny_on: [unintercepted_call] } }
            """;
        using var asm = LoadedAssembly.Load(("/proj/App.cs", Source));
        using var app = new AuditedApp(hops);

        Assert.Throws<Sec0PolicyDeniedException>(() => asm.Call("App.Entry", "NumbersViaReflection"));
        await Assert.ThrowsAsync<Sec0PolicyDeniedException>(() => (Task<int>)asm.Call("App.Entry", "NumbersAsyncViaDelegate")!);
        await Assert.ThrowsAsync<Sec0PolicyDeniedException>(() => (Task<int>)asm.Call("App.Entry", "CountAsyncViaDelegate")!);

        // Intercepted calls of the same hops are decided by their interceptors and allowed.
        Assert.Equal(12, asm.Call("App.Entry", "Numbers"));
        Assert.Equal(4, await (Task<int>)asm.Call("App.Entry", "CountAsync")!);
        Assert.Equal(3, app.Envelopes().Count(e => e.GetProperty("policy").GetProperty("decision").GetString() == "deny"));
    }

    private const string LibrarySource = """
        using Sec0;

        namespace Lib;

        public class Remote
        {
            [Sec0Hop("lib.ping")]
            public int Ping(int x)
            {
                HopGuard.Enter();
                return x + 1;
            }
        }
        """;

    private const string ConsumerSource = """
        namespace App;

        public static class Consumer
        {
            public static int Ping() => new Lib.Remote().Ping(41);
        }
        """;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_hop_in_a_library_is_decided_once_whether_or_not_its_caller_was_built_with_the_generator(bool consumerHasGenerator)
    {
        var libraryRun = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(new[] { ("/lib/Remote.cs", LibrarySource) }, "Lib"));
        GeneratorHarness.AssertNoErrors(libraryRun);
        using var image = new MemoryStream();
        Assert.True(libraryRun.Output.Emit(image).Success);
        var libraryBytes = image.ToArray();
        var consumer = GeneratorHarness.CreateCompilation(new[] { ("/app/Consumer.cs", ConsumerSource) }, "Consumer", new[] { MetadataReference.CreateFromImage(libraryBytes) });
        Compilation built = consumer;
        if (consumerHasGenerator)
        {
            var run = GeneratorHarness.Run(consumer);
            GeneratorHarness.AssertNoErrors(run);
            built = run.Output;
        }

        using var loaded = new LoadedAssembly(built, libraryBytes);
        using var app = new AuditedApp("lib.ping: { type: skill, nodeId: ping, skill: ping }");

        Assert.Equal(42, loaded.Call("App.Consumer", "Ping"));

        var envelope = Assert.Single(app.Envelopes());
        if (consumerHasGenerator)
        {
            AssertDecidedByInterceptor(envelope);
        }
        else
        {
            AssertDecidedByGuard(envelope);
        }
    }

    [Fact]
    public void A_guard_the_generator_cannot_bind_fails_closed_with_what_to_do()
    {
        const string source = """
            using Sec0;

            namespace App;

            public static class Entry
            {
                public static int NotAHop()
                {
                    HopGuard.Enter();
                    return 1;
                }

                [Sec0Hop]
                public static int InALambda()
                {
                    HopGuard.Enter();
                    System.Func<int> later = () => { HopGuard.Enter(); return 2; };
                    return later();
                }
            }
            """;
        using var asm = LoadedAssembly.Load(("/proj/App.cs", source));
        using var app = new AuditedApp("Entry.InALambda: { type: skill, nodeId: l, skill: l }");

        foreach (var entry in new[] { "NotAHop", "InALambda" })
        {
            var ex = Assert.Throws<Sec0Exception>(() => asm.Call("App.Entry", entry));
            Assert.Equal(HopGuard.NotBoundCode, ex.Code);
            Assert.StartsWith("[sec0] HopGuard.Enter() ran without being bound to a hop.", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_private_hop_that_no_interceptor_can_reach_is_decided_by_its_guard_on_every_call()
    {
        const string source = """
            using Sec0;

            namespace App;

            public class Vault
            {
                public int Open() => Unlock() + Unlock();

                [Sec0Hop]
                private int Unlock()
                {
                    HopGuard.Enter();
                    return 1;
                }
            }

            public static class Entry
            {
                public static int Open() => new Vault().Open();
            }
            """;
        using var asm = LoadedAssembly.Load(("/proj/Vault.cs", source));
        using var app = new AuditedApp("Vault.Unlock: { type: skill, nodeId: vault, skill: unlock }");

        Assert.Equal(2, asm.Call("App.Entry", "Open"));

        var envelopes = app.Envelopes();
        Assert.Equal(2, envelopes.Count);
        Assert.All(envelopes, e => AssertDecidedByGuard(e));
    }

    [Fact]
    public void A_hop_built_without_the_generator_fails_closed_at_its_guard()
    {
        var plain = GeneratorHarness.CreateCompilation(new[] { ("/proj/App.cs", Source) });
        using var asm = new LoadedAssembly(plain);
        using var app = new AuditedApp(Hops);

        var ex = Assert.Throws<Sec0Exception>(() => asm.Call("App.Entry", "Direct"));

        Assert.Equal(HopGuard.NotBoundCode, ex.Code);
        Assert.Equal(0, asm.Call("App.Entry", "Runs"));
        Assert.Empty(app.Envelopes());
    }
}

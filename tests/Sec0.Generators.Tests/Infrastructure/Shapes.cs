namespace Sec0.Generators.Tests.Infrastructure;

/// <summary>Hop declarations and calls of every supported shape (sources of the snapshot, compile and run tests).</summary>
internal static class Shapes
{
    public const string StaticAndInstanceHops = """
        using Sec0;

        namespace App;

        public class Calculator
        {
            public int Offset { get; set; }

            /// <summary>Adds.</summary>
            [Sec0Hop]
            public static int Add(int a, int b) => a + b;

            [Sec0Hop("calc.scale", Type = HopType.Tool)]
            public int Scale(int value)
            {
                // scales
                return value * 2 + Offset;
            }

            [Sec0Hop]
            public void Reset() => Offset = 0;
        }
        """;

    public const string StaticAndInstanceCalls = """
        namespace App;

        public static class Calls
        {
            public static int Run()
            {
                var calculator = new Calculator { Offset = 1 };
                var sum = Calculator.Add(1, 2) + Calculator.Add(b: 3, a: 4);
                var scaled = calculator.Scale(sum);
                calculator?.Reset();
                return scaled;
            }
        }
        """;

    public const string StructHops = """
        using Sec0;

        namespace App;

        public struct Counter
        {
            public int Value;

            [Sec0Hop]
            public int Increment(int by) => Value += by;

            [Sec0Hop]
            public readonly int Peek() => Value;
        }

        public readonly struct Money
        {
            public Money(decimal amount) => Amount = amount;

            public decimal Amount { get; }

            [Sec0Hop]
            public Money Double() => new(Amount * 2);
        }
        """;

    public const string StructCalls = """
        namespace App;

        public static class Calls
        {
            public static int Run()
            {
                var counter = new Counter();
                counter.Increment(2);
                counter.Increment(3);
                var money = new Money(1.5m).Double();
                return counter.Peek() + (int)money.Amount;
            }
        }
        """;

    public const string ExtensionHops = """
        using Sec0;

        namespace App;

        public static class TextExtensions
        {
            [Sec0Hop]
            public static string Shout(this string text, int times = 1) => string.Concat(System.Linq.Enumerable.Repeat(text.ToUpperInvariant(), times));

            [Sec0Hop]
            public static T Also<T>(this T value, System.Action<T> action) where T : class
            {
                action(value);
                return value;
            }

            [Sec0Hop]
            public static void Twice(this ref int value) => value *= 2;
        }
        """;

    public const string ExtensionCalls = """
        namespace App;

        public static class Calls
        {
            public static string Run()
            {
                var n = 2;
                n.Twice();
                var seen = "";
                var shouted = "hi".Shout(n).Also(s => seen = s);
                return TextExtensions.Shout(seen) + shouted;
            }
        }
        """;

    public const string GenericHops = """
        using System.Collections.Generic;
        using Sec0;

        namespace App;

        public static class Generic
        {
            [Sec0Hop]
            public static T Echo<T>(T value) where T : notnull => value;

            [Sec0Hop]
            public static TOut Map<TIn, TOut>(TIn input, System.Func<TIn, TOut> map) where TOut : struct => map(input);
        }

        public class Repository<T> where T : class, new()
        {
            private readonly List<T> _items = new();

            [Sec0Hop]
            public int Save<TMeta>(T item, TMeta meta) where TMeta : struct, System.IComparable<TMeta>
            {
                _items.Add(item);
                return _items.Count;
            }

            [Sec0Hop]
            public static T Create() => new();
        }

        public class Outer<TOuter>
        {
            public class Inner<TInner>
            {
                [Sec0Hop]
                public static string Describe<TMethod>(TOuter a, TInner b, TMethod c) => $"{a}{b}{c}";
            }
        }
        """;

    public const string GenericCalls = """
        namespace App;

        public class Item { public string Name { get; set; } = "item"; }

        public static class Calls
        {
            public static string Run()
            {
                var repo = new Repository<Item>();
                var count = repo.Save(Repository<Item>.Create(), 42);
                var echoed = Generic.Echo("x") + Generic.Echo(7);
                var mapped = Generic.Map("abc", s => s.Length);
                return Forward(echoed) + count + mapped + Outer<int>.Inner<bool>.Describe(1, true, 'c');
            }

            private static T Forward<T>(T value) where T : notnull => Generic.Echo(value);
        }
        """;

    public const string OverloadHops = """
        using Sec0;

        namespace App;

        public class Sender
        {
            [Sec0Hop]
            public string Send(int value) => "int:" + value;

            [Sec0Hop]
            public string Send(string value, string suffix = "!") => "string:" + value + suffix;

            [Sec0Hop]
            public static string Log(string message, int level = 1, params object[] args) => $"{level}:{message}:{args.Length}";
        }
        """;

    public const string OverloadCalls = """
        namespace App;

        public static class Calls
        {
            public static string Run()
            {
                var sender = new Sender();
                return sender.Send(1) + sender.Send("a") + sender.Send(suffix: "?", value: "b")
                    + Sender.Log("m") + Sender.Log("m", 2, "x", 3) + Sender.Log(level: 3, message: "n");
            }
        }
        """;

    public const string RefKindHops = """
        using Sec0;

        namespace App;

        public readonly struct Big
        {
            public Big(long a) { A = a; B = a; C = a; }
            public long A { get; }
            public long B { get; }
            public long C { get; }
        }

        public static class Refs
        {
            [Sec0Hop]
            public static bool TryParse(string text, out int value) => int.TryParse(text, out value);

            [Sec0Hop]
            public static void Bump(ref int value) => value++;

            [Sec0Hop]
            public static long Sum(in Big big) => big.A + big.B + big.C;

            [Sec0Hop]
            public static int Peek(ref readonly int value) => value;

            [Sec0Hop]
            public static int Length(System.ReadOnlySpan<char> text) => text.Length;
        }
        """;

    public const string RefKindCalls = """
        using System;

        namespace App;

        public static class Calls
        {
            public static long Run()
            {
                Refs.TryParse("41", out var parsed);
                Refs.Bump(ref parsed);
                var big = new Big(1);
                return parsed + Refs.Sum(in big) + Refs.Sum(big) + Refs.Peek(in parsed) + Refs.Length("abc".AsSpan());
            }
        }
        """;

    public const string NestedPartialHops = """
        using Sec0;

        namespace App;

        public partial class Workflow
        {
            public static class Steps
            {
                [Sec0Hop(Type = HopType.Orchestrator)]
                public static string Plan(string goal) => "plan:" + goal;
            }
        }

        public partial class Workflow
        {
            [Sec0Hop]
            internal string Run(string goal) => Steps.Plan(goal);

            [Sec0Hop]
            public partial string Summarize(string text);

            public partial string Summarize(string text) => text.Length > 3 ? text.Substring(0, 3) : text;
        }
        """;

    public const string NestedPartialCalls = """
        namespace App;

        public static class Calls
        {
            public static string Run() => new Workflow().Run("ship") + new Workflow().Summarize("summary");
        }
        """;

    public const string AsyncHops = """
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using Sec0;

        namespace App;

        public class Agent
        {
            [Sec0Hop(Type = HopType.Agent)]
            public async Task<string> RunAsync(string input)
            {
                await Task.Yield();
                return "ran:" + input;
            }

            [Sec0Hop]
            public async Task WaitAsync() => await Task.Yield();

            [Sec0Hop]
            public ValueTask PingAsync() => default;

            [Sec0Hop]
            public ValueTask<int> CountAsync(int n) => new(n);

            [Sec0Hop]
            public async IAsyncEnumerable<int> StreamAsync(int count)
            {
                for (var i = 0; i < count; i++)
                {
                    await Task.Yield();
                    yield return i;
                }
            }
        }
        """;

    public const string AsyncCalls = """
        using System.Threading.Tasks;

        namespace App;

        public static class Calls
        {
            public static async Task<string> Run()
            {
                var agent = new Agent();
                await agent.WaitAsync();
                await agent.PingAsync();
                var total = await agent.CountAsync(2);
                await foreach (var i in agent.StreamAsync(3))
                {
                    total += i;
                }

                return await agent.RunAsync("x") + total;
            }
        }
        """;

    public const string SkippedHops = """
        using System;
        using System.Linq.Expressions;
        using Sec0;

        namespace App;

        public class Base
        {
            [Sec0Hop]
            public virtual int Compute() => 1;

            [Sec0Hop]
            protected int Guarded() => 2;
        }

        public class Derived : Base
        {
            [Sec0Hop]
            private int Secret() => 3;

            public override int Compute() => base.Compute() + Guarded() + Secret();

            public Func<int> Group() => Compute;

            public Expression<Func<int>> Tree() => () => Compute();

            public string Name() => nameof(Compute);
        }
        """;

    public const string DispatchHops = """
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using Sec0;

        namespace App;

        public interface IAgent
        {
            string Run(string order);

            Task<int> CountAsync(int n);

            IEnumerable<int> Numbers(int n);

            void Reset();
        }

        public class OrderAgent : IAgent
        {
            [Sec0Hop] public string Run(string order) => "order:" + order;

            [Sec0Hop] public async Task<int> CountAsync(int n) { await Task.Yield(); return n; }

            [Sec0Hop]
            public IEnumerable<int> Numbers(int n)
            {
                for (var i = 0; i < n; i++)
                {
                    yield return i;
                }
            }

            [Sec0Hop] public void Reset() { }
        }

        public class RushAgent : OrderAgent
        {
            [Sec0Hop("rush")] public new string Run(string order) => "rush:" + order;
        }

        public interface IPlanner
        {
            [Sec0Hop] string Plan(string goal);
        }

        public class Planner : IPlanner
        {
            public string Plan(string goal) => "plan:" + goal;
        }

        public abstract class Step
        {
            [Sec0Hop] public virtual string Execute(string input) => "step:" + input;
        }

        public class ChargeStep : Step
        {
            [Sec0Hop("charge")] public override string Execute(string input) => "charged:" + input;
        }

        public interface IStore<T>
        {
            int Save(T item);
        }

        public class Store<TItem> : IStore<TItem>
        {
            [Sec0Hop] public int Save(TItem item) => 1;
        }
        """;

    public const string DispatchCalls = """
        using System.Threading.Tasks;

        namespace App;

        public class LogStep : Step
        {
        }

        public static class Calls
        {
            public static async Task<string> Run()
            {
                IAgent agent = new OrderAgent();
                var sum = 0;
                foreach (var i in agent.Numbers(3))
                {
                    sum += i;
                }

                agent.Reset();
                IStore<string> store = new Store<string>();
                Step step = new ChargeStep();
                Step plain = new LogStep();
                return agent.Run("a") + await agent.CountAsync(2) + sum + new Planner().Plan("p") + step.Execute("s") + plain.Execute("l") + store.Save("x");
            }
        }
        """;

    /// <summary>
    /// What an escalated call's arguments are made of, per parameter kind: defaults and params (as the caller passes
    /// them), a keyword name, in/ref (their value), out and CancellationToken (left out), pointers, spans and
    /// <c>allows ref struct</c> type parameters (not hashed, a marker). (Pointer parameters are left out: the generator
    /// does not emit <c>unsafe</c> interceptors.)
    /// </summary>
    public const string EscalationArgumentHops = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Sec0;

        namespace App;

        public static class Transfers
        {
            public static int Runs;

            [Sec0Hop]
            public static string Send(string @class, decimal amount = 10m, params string[] tags) { Runs++; return @class + amount + tags.Length; }

            [Sec0Hop]
            public static Task<int> SendAsync(int cents, CancellationToken cancellationToken = default) => Task.FromResult(cents);

            [Sec0Hop]
            public static bool TryBook(in decimal amount, ref int attempts, out string receipt) { attempts++; receipt = "r" + amount; return true; }

            [Sec0Hop]
            public static int Count<T>(T first, ReadOnlySpan<T> rest) => rest.Length + 1;

            [Sec0Hop]
            public static int Width<T>(T value) where T : allows ref struct => 1;
        }
        """;

    public const string EscalationArgumentCalls = """
        using System.Threading.Tasks;

        namespace App;

        public static class Calls
        {
            public static string SendDefault() => Transfers.Send("a");

            public static string SendTags() => Transfers.Send("b", 2m, "x", "y");

            public static Task<int> SendAsync() => Transfers.SendAsync(5);

            public static bool Book()
            {
                var attempts = 3;
                return Transfers.TryBook(2.5m, ref attempts, out _);
            }

            public static int Count() => Transfers.Count(1, new[] { 2, 3 });

            public static int Width() => Transfers.Width(1);

            public static int Runs() => Transfers.Runs;

            public static async Task<int> Run() => SendDefault().Length + SendTags().Length + await SendAsync() + (Book() ? 1 : 0) + Count() + Width();
        }
        """;

    public static readonly (string Name, string Hops, string Calls)[] All =
    {
        ("StaticAndInstance", StaticAndInstanceHops, StaticAndInstanceCalls),
        ("Struct", StructHops, StructCalls),
        ("Extension", ExtensionHops, ExtensionCalls),
        ("Generic", GenericHops, GenericCalls),
        ("Overloads", OverloadHops, OverloadCalls),
        ("RefKinds", RefKindHops, RefKindCalls),
        ("NestedPartial", NestedPartialHops, NestedPartialCalls),
        ("Async", AsyncHops, AsyncCalls),
        ("Dispatch", DispatchHops, DispatchCalls),
        ("EscalationArguments", EscalationArgumentHops, EscalationArgumentCalls),
    };
}

using System.Collections.Concurrent;
using Sec0.Hops;
using Sec0.Instrumentation.Tests.Support;

namespace Sec0.Instrumentation.Tests.Hops;

/// <summary>
/// The guard's contract with generated interceptors, without the generator: a decided call arms its hop
/// for one guard on its own thread, only for the duration of the call; anything else is decided by the host.
/// </summary>
[Collection(nameof(Sec0AppCollection))]
public sealed class HopGuardTests : IDisposable
{
    private static readonly HopDescriptor s_run = new("Agent.Run", HopType.Agent, "", "Agent.cs", 1, 2, "string Agent.Run(string order)");
    private static readonly HopDescriptor s_other = new("Agent.Plan", HopType.Agent, "", "Agent.cs", 3, 4, "string Agent.Plan(string goal)");

    private readonly GuardHost _host = new();
    private readonly HopHost? _previous;

    public HopGuardTests()
    {
        _previous = HopHost.Current;
        HopHost.Current = _host;
    }

    public void Dispose() => HopHost.Current = _previous;

    /// <summary>Counts decisions; <c>Begin</c> is what an interceptor calls, <c>DecideUnintercepted</c> what a guard does.</summary>
    private sealed class GuardHost : HopHost
    {
        public ConcurrentQueue<string> Log { get; } = new();

        internal override HopInvocation Begin(HopDescriptor descriptor)
        {
            Log.Enqueue("begin:" + descriptor.Key);
            return Create(this, descriptor, null, 0, null, null);
        }

        internal override void DecideUnintercepted(HopDescriptor descriptor) => Log.Enqueue("guard:" + descriptor.Key);

        internal override void End(in HopInvocation invocation, Exception? error)
        {
        }
    }

    /// <summary>What an interceptor does around the call; <paramref name="body"/> is the hop method.</summary>
    private static void Intercepted(HopDescriptor descriptor, Action body)
    {
        var hop = HopRuntime.Begin(descriptor);
        var mark = hop.Arm();
        try
        {
            body();
        }
        finally
        {
            hop.Disarm(mark);
        }

        hop.Complete();
    }

    [Fact]
    public void An_unbound_guard_always_throws_and_says_what_to_do()
    {
        var ex = Assert.Throws<Sec0Exception>(HopGuard.Enter);

        Assert.Equal(HopGuard.NotBoundCode, ex.Code);
        Assert.Contains("first statement of a [Sec0Hop] method", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Sec0 generator", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_host.Log);
    }

    [Fact]
    public void A_decided_call_passes_its_guard_once_and_a_call_without_a_decision_is_decided_by_it()
    {
        Intercepted(s_run, () =>
        {
            HopGuard.Enter(s_run);

            // A second guard in the same call (a recursion through reflection, say) was not decided.
            HopGuard.Enter(s_run);
        });
        HopGuard.Enter(s_run);

        Assert.Equal(["begin:Agent.Run", "guard:Agent.Run", "guard:Agent.Run"], _host.Log);
    }

    [Fact]
    public void The_mark_is_for_that_hop_only_and_ends_with_the_call()
    {
        // A hop without a guard that reaches another hop's body without its interceptor.
        Intercepted(s_other, () => HopGuard.Enter(s_run));

        // Its mark did not outlive the call, even though no guard took it.
        HopGuard.Enter(s_other);

        Assert.Throws<InvalidOperationException>(() => Intercepted(s_other, () => throw new InvalidOperationException()));
        HopGuard.Enter(s_other);

        Assert.Equal(["begin:Agent.Plan", "guard:Agent.Run", "guard:Agent.Plan", "begin:Agent.Plan", "guard:Agent.Plan"], _host.Log);
    }

    [Fact]
    public void A_nested_decided_call_keeps_the_outer_mark_for_the_outer_guard()
    {
        // A static constructor (say) runs another hop between the outer interceptor and the outer guard.
        Intercepted(s_run, () =>
        {
            Intercepted(s_other, () => HopGuard.Enter(s_other));
            HopGuard.Enter(s_run);
        });

        Assert.Equal(["begin:Agent.Run", "begin:Agent.Plan"], _host.Log);
    }

    [Fact]
    public void Another_assemblys_copy_of_the_descriptor_names_the_same_hop_and_an_overload_does_not()
    {
        var copy = new HopDescriptor(s_run.Key, s_run.ExpectedType, s_run.BodyHash, s_run.FilePath, s_run.StartLine, s_run.EndLine, s_run.Signature);
        var overload = new HopDescriptor(s_run.Key, s_run.ExpectedType, "", "Agent.cs", 5, 6, "string Agent.Run(int order)");

        Intercepted(copy, () => HopGuard.Enter(s_run));
        Intercepted(overload, () => HopGuard.Enter(s_run));

        Assert.Equal(["begin:Agent.Run", "begin:Agent.Run", "guard:Agent.Run"], _host.Log);
    }

    [Fact]
    public void The_mark_stays_on_the_calling_thread()
    {
        Intercepted(s_run, () =>
        {
            var other = new Thread(() => HopGuard.Enter(s_run));
            other.Start();
            other.Join();
        });

        Assert.Equal(["begin:Agent.Run", "guard:Agent.Run"], _host.Log);
    }

    [Fact]
    public void Without_an_initialized_app_a_guard_fails_closed()
    {
        HopHost.Current = null;

        var ex = Assert.Throws<Sec0Exception>(() => HopGuard.Enter(s_run));

        Assert.Equal("NOT_INITIALIZED", ex.Code);
    }

    private static IEnumerable<int> Iterator(Action onStart)
    {
        onStart();
        yield return 1;
        yield return 2;
    }

    [Fact]
    public void Each_enumeration_of_a_decided_iterator_starts_armed_and_other_sequences_are_returned_as_they_are()
    {
        var list = new List<int> { 1, 2 };
        var hop = HopRuntime.Begin(s_run);
        Assert.Same(list, hop.ArmIterator<int>(list));

        var numbers = hop.ArmIterator(Iterator(() => HopGuard.Enter(s_run)));
        hop.Complete();
        Assert.Equal([1, 2], numbers);
        Assert.Equal([1, 2], numbers);

        using (var enumerator = hop.ArmIterator(Iterator(() => HopGuard.Enter(s_run)).GetEnumerator()))
        {
            Assert.True(enumerator.MoveNext());
        }

        // The same iterator body reached without the decided call is decided by its guard.
        Assert.Equal([1, 2], Iterator(() => HopGuard.Enter(s_run)));
        Assert.Equal(["begin:Agent.Run", "guard:Agent.Run"], _host.Log);
    }
}

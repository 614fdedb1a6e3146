using System.ComponentModel;
using Sec0.Hops;

namespace Sec0;

/// <summary>
/// The check a <c>[Sec0Hop]</c> method makes as its first statement: <c>HopGuard.Enter();</c>. A call the
/// generated interceptor decided passes straight through; a call that reaches the body without a decision
/// (reflection, <c>dynamic</c>, a delegate, an assembly built without the Sec0 generator, an interface call
/// the compiler could not see) is decided and audited here, through the same decision engine, with the
/// reason <c>unintercepted_call</c>; <c>enforcement.deny_on: [unintercepted_call]</c> fails it closed.
/// </summary>
/// <remarks>
/// The Sec0 generator binds each <c>HopGuard.Enter()</c> in a hop's body to that hop. Reached unbound
/// (outside a hop, or built without the generator) it throws: it never lets a call through unchecked.
/// </remarks>
public static class HopGuard
{
    /// <summary>The code of the exception an unbound <see cref="Enter()"/> throws.</summary>
    public const string NotBoundCode = "HOP_GUARD_NOT_BOUND";

    // The hop whose call its interceptor decided and is about to run on this thread; the hop's guard
    // consumes it. Thread-static (not async-local): the body's first statement runs synchronously on
    // the calling thread, and nothing the body starts may inherit the mark.
    [ThreadStatic]
    private static HopDescriptor? t_armed;

    /// <summary>
    /// The first statement of a <c>[Sec0Hop]</c> method. The Sec0 generator replaces this call with a check
    /// bound to the enclosing hop; this body runs only when it could not.
    /// </summary>
    /// <exception cref="Sec0Exception">Always: the call is not inside a hop, or the Sec0 generator did not run.</exception>
    public static void Enter() => throw new Sec0Exception(
        NotBoundCode,
        "[sec0] HopGuard.Enter() ran without being bound to a hop. Call it only as the first statement of a [Sec0Hop] method "
        + "(or of a method that overrides or implements one), not in a lambda or local function, and build the project with "
        + "the Sec0 generator (the Sec0.Instrumentation package adds it).");

    /// <summary>The guard of the hop <paramref name="descriptor"/>. Called by generated code in place of <see cref="Enter()"/>.</summary>
    /// <param name="descriptor">The hop the guard is written in.</param>
    /// <exception cref="Sec0Exception">The call was not decided by an interceptor and policy denies it, or Sec0 is not initialized.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void Enter(HopDescriptor descriptor)
    {
        var armed = t_armed;
        if (armed is not null && armed.IsSameHop(descriptor))
        {
            // Decided and audited by the interceptor that armed it: one use only.
            t_armed = null;
            return;
        }

        DecideHere(descriptor);
    }

    /// <summary>Marks <paramref name="descriptor"/> as decided for the next guard on this thread; returns the previous mark.</summary>
    internal static HopDescriptor? Arm(HopDescriptor? descriptor)
    {
        var previous = t_armed;
        t_armed = descriptor;
        return previous;
    }

    /// <summary>Puts back the mark <see cref="Arm"/> replaced, so a mark never outlives the call it was made for.</summary>
    internal static void Restore(HopDescriptor? previous) => t_armed = previous;

    private static void DecideHere(HopDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var host = HopHost.Current ?? throw HopHost.NotInitialized();
        host.DecideUnintercepted(descriptor);
    }
}

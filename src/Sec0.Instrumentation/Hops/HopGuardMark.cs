namespace Sec0.Hops;

/// <summary>
/// What <see cref="HopInvocation.Arm"/> replaced: handed back to <see cref="HopInvocation.Disarm"/> right after
/// the hop method returns. Opaque, so only a decided call can arm a hop's guard.
/// </summary>
public readonly struct HopGuardMark
{
    internal HopGuardMark(HopDescriptor? previous) => Previous = previous;

    internal HopDescriptor? Previous { get; }
}

using Sec0.Policy;

namespace Sec0.Hops;

/// <summary>
/// The state of a hop call the decision escalated, while generated code gathers its arguments
/// (<see cref="HopInvocation.IsEscalated"/>): its frame, not yet started, with the envelope not yet recorded, and the decision.
/// </summary>
internal sealed class PendingEscalation
{
    public PendingEscalation(HopFrame frame, Decision decision, HopApprovals approvals)
    {
        Frame = frame;
        Decision = decision;
        Approvals = approvals;
    }

    public HopFrame Frame { get; }

    public Decision Decision { get; }

    public HopApprovals Approvals { get; }

    /// <summary>Set once <see cref="HopInvocation.Escalate"/> ran, so a second call cannot run the body again.</summary>
    public int Settled;
}

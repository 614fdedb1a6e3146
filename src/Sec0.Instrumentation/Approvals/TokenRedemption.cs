namespace Sec0.Approvals;

/// <summary>The outcome of presenting an approval token.</summary>
/// <param name="Refusal"><see cref="TokenRefusal.None"/> when the call may run.</param>
/// <param name="Escalation">The token's escalation, when it names one that exists.</param>
public sealed record TokenRedemption(TokenRefusal Refusal, Escalation? Escalation)
{
    /// <summary>Whether the call may run.</summary>
    public bool Accepted => Refusal == TokenRefusal.None;
}

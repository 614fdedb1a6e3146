namespace Sec0.Policy;

/// <summary>
/// Which engine made a <see cref="Decision"/> (the envelope's <c>decision_source</c>, written when remote decisions are
/// configured): the local one, the remote one (<c>controlPlane.runtime</c>), or the failure mode standing in for a remote
/// engine that was late or failed.
/// </summary>
public enum DecisionSource
{
    /// <summary><c>local</c>: the local engine; the remote one was not consulted (no violations, or none configured).</summary>
    Local = 0,

    /// <summary><c>remote</c>: the remote engine answered within the budget.</summary>
    Remote,

    /// <summary><c>fallback-local</c>: the remote engine was late or failed; <c>failureMode: local</c> kept the local decision.</summary>
    FallbackLocal,

    /// <summary><c>fallback-allow</c>: the remote engine was late or failed; <c>failureMode: allow</c> allowed the call.</summary>
    FallbackAllow,

    /// <summary><c>fallback-deny</c>: the remote engine was late or failed; <c>failureMode: deny</c> denied the call.</summary>
    FallbackDeny,
}

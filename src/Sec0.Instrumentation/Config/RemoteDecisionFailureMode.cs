namespace Sec0.Config;

/// <summary>What decides a call when the remote engine does not answer in time or fails.</summary>
public enum RemoteDecisionFailureMode
{
    /// <summary>The local engine's decision stands (the default).</summary>
    Local = 0,

    /// <summary>The call is allowed (reason <c>runtime_remote_unavailable_fallback_allow</c>).</summary>
    Allow = 1,

    /// <summary>The call is denied (reason <c>runtime_remote_unavailable_fallback_deny</c>).</summary>
    Deny = 2,
}

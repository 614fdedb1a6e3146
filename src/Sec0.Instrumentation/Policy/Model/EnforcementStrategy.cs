namespace Sec0.Policy;

/// <summary><c>enforcement.strategy</c>: which violations deny a call.</summary>
public enum EnforcementStrategy
{
    /// <summary><c>deny_on_match</c> (default): only violations listed in <c>deny_on</c> deny; an empty <c>deny_on</c> denies nothing.</summary>
    DenyOnMatch = 0,
    /// <summary><c>deny_on_any</c>: every violation denies, whatever <c>deny_on</c> lists.</summary>
    DenyOnAny,
}

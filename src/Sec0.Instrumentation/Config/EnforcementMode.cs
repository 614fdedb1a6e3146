namespace Sec0.Config;

/// <summary>What a hop does with a policy violation: <c>enforcement.mode</c> in <c>app.hops</c>.</summary>
public enum EnforcementMode
{
    /// <summary><c>enforce</c> (default): violations listed in <c>deny_on</c> block the call before it runs.</summary>
    Enforce = 0,
    /// <summary><c>observe</c>: violations are recorded in the audit log but never block.</summary>
    Observe,
}

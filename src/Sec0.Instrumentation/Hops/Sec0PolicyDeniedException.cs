namespace Sec0;

/// <summary>
/// Thrown instead of running a hop (or tool) that policy denied. The hop's body never ran.
/// </summary>
public sealed class Sec0PolicyDeniedException : Sec0Exception
{
    /// <summary>The code carried by every policy denial.</summary>
    public const string ErrorCode = "POLICY_DENIED";

    /// <summary>Creates a denial.</summary>
    /// <param name="violation">The reason from the <c>deny_on</c> vocabulary, e.g. <c>tool_not_in_allowlist</c>.</param>
    /// <param name="denialLevel">Where the denial happened: <c>decorator</c> for hops, <c>middleware</c>, <c>gateway</c>.</param>
    /// <param name="message">A message that says what was denied and why.</param>
    public Sec0PolicyDeniedException(string violation, string denialLevel, string message)
        : base(ErrorCode, message)
    {
        Violation = violation;
        DenialLevel = denialLevel;
    }

    /// <summary>The reason from the <c>deny_on</c> vocabulary.</summary>
    public string Violation { get; }

    /// <summary>Where the denial happened: <c>decorator</c>, <c>middleware</c> or <c>gateway</c>.</summary>
    public string DenialLevel { get; }
}

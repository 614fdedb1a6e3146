namespace Sec0;

/// <summary>
/// Thrown instead of running a hop (or tool) that policy denied. The hop's body never ran.
/// <see cref="Policy.Sec0CircuitOpenException"/> derives from it (code <c>CIRCUIT_OPEN</c>), so one
/// <c>catch</c> sees every denial and <see cref="Sec0Exception.Code"/> tells them apart.
/// </summary>
public class Sec0PolicyDeniedException : Sec0Exception
{
    /// <summary>The code carried by every policy denial.</summary>
    public const string ErrorCode = "POLICY_DENIED";

    /// <summary>Creates a denial.</summary>
    /// <param name="violation">The reason from the <c>deny_on</c> vocabulary, e.g. <c>tool_not_in_allowlist</c>.</param>
    /// <param name="denialLevel">Where the denial happened: <c>decorator</c> for hops, <c>middleware</c>, <c>gateway</c>.</param>
    /// <param name="message">A message that says what was denied and why.</param>
    public Sec0PolicyDeniedException(string violation, string denialLevel, string message)
        : this(ErrorCode, violation, denialLevel, message)
    {
    }

    /// <summary>Creates a denial with a more specific code, for derived denials.</summary>
    /// <param name="code">The stable error code, e.g. <c>CIRCUIT_OPEN</c>.</param>
    /// <param name="violation">The reason from the <c>deny_on</c> vocabulary.</param>
    /// <param name="denialLevel">Where the denial happened.</param>
    /// <param name="message">A message that says what was denied and why.</param>
    protected Sec0PolicyDeniedException(string code, string violation, string denialLevel, string message)
        : base(code, message)
    {
        Violation = violation;
        DenialLevel = denialLevel;
    }

    /// <summary>The reason from the <c>deny_on</c> vocabulary.</summary>
    public string Violation { get; }

    /// <summary>Where the denial happened: <c>decorator</c>, <c>middleware</c> or <c>gateway</c>.</summary>
    public string DenialLevel { get; }
}

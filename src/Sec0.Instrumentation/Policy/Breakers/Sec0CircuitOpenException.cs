namespace Sec0.Policy;

/// <summary>
/// Thrown instead of running a hop or tool whose circuit breaker is open (reason <c>circuit_open</c>, code
/// <c>CIRCUIT_OPEN</c>). It is a <see cref="Sec0PolicyDeniedException"/>, so code that handles denials
/// handles it too; callers that want to retry later can catch it specifically.
/// </summary>
public sealed class Sec0CircuitOpenException : Sec0PolicyDeniedException
{
    /// <summary>The code carried by every circuit-open denial.</summary>
    public new const string ErrorCode = "CIRCUIT_OPEN";

    /// <summary>Creates a circuit-open denial.</summary>
    /// <param name="key">The hop key or tool ref whose breaker is open.</param>
    /// <param name="denialLevel">Where the denial happened: <c>decorator</c>, <c>middleware</c> or <c>gateway</c>.</param>
    /// <param name="message">A message that says what was denied and why.</param>
    public Sec0CircuitOpenException(string key, string denialLevel, string message)
        : base(ErrorCode, PolicyReasons.CircuitOpen, denialLevel, message)
    {
        Key = key;
    }

    /// <summary>The hop key or tool ref whose breaker is open.</summary>
    public string Key { get; }
}

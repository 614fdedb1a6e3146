namespace Sec0.Policy;

/// <summary>The state of one <see cref="CircuitBreaker"/>.</summary>
public enum CircuitBreakerState
{
    /// <summary>Calls run and are counted.</summary>
    Closed = 0,
    /// <summary>Calls are denied with <c>circuit_open</c> until the cooldown ends.</summary>
    Open,
    /// <summary>The cooldown ended: calls run as probes; the next success closes the breaker, the next failure reopens it.</summary>
    HalfOpen,
}

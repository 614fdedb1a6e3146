namespace Sec0.Policy;

/// <summary>
/// <c>enforcement.circuit_breakers</c>: when a hop's or tool's breaker opens. A breaker opens when, over
/// its last <see cref="WindowSize"/> calls and with at least <see cref="MinSamples"/> of them, the error rate
/// reaches <see cref="ErrorRatePct"/> or the 95th-percentile latency reaches <see cref="P95LatencyMs"/>.
/// </summary>
public sealed record CircuitBreakerOptions
{
    /// <summary>The default for <see cref="MinSamples"/>.</summary>
    public const int DefaultMinSamples = 20;

    /// <summary>The default for <see cref="WindowSize"/>.</summary>
    public const int DefaultWindowSize = 100;

    /// <summary>The default for <see cref="CooldownMs"/>.</summary>
    public const int DefaultCooldownMs = 30_000;

    /// <summary><c>error_rate_pct</c> (0–100): the error rate that opens the breaker; null disables this trigger.</summary>
    public double? ErrorRatePct { get; init; }

    /// <summary><c>p95_latency_ms</c>: the p95 latency that opens the breaker; null disables this trigger.</summary>
    public double? P95LatencyMs { get; init; }

    /// <summary><c>min_samples</c> (default 20): a breaker never opens on fewer calls.</summary>
    public int MinSamples { get; init; } = DefaultMinSamples;

    /// <summary><c>window_size</c> (.NET addition, default 100, at least <see cref="MinSamples"/>): how many recent calls count.</summary>
    public int WindowSize { get; init; } = DefaultWindowSize;

    /// <summary>
    /// <c>cooldown_ms</c> (.NET addition, default 30000): how long an open breaker denies before it lets calls
    /// through again as probes; a successful probe closes it, a failed one opens it for another cooldown.
    /// </summary>
    public int CooldownMs { get; init; } = DefaultCooldownMs;
}

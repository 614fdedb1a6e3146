using System.Collections.Concurrent;

namespace Sec0.Policy;

/// <summary>
/// The circuit breakers of an application, one per hop key or tool ref, created on first use with the
/// policy's <c>enforcement.circuit_breakers</c> options. Get one from <see cref="DecisionEngine.CreateCircuitBreakers"/>.
/// </summary>
public sealed class CircuitBreakerSet
{
    private readonly ConcurrentDictionary<string, CircuitBreaker> _breakers = new(StringComparer.Ordinal);
    private readonly CircuitBreakerOptions _options;
    private readonly TimeProvider? _timeProvider;

    /// <summary>Creates an empty set.</summary>
    public CircuitBreakerSet(CircuitBreakerOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _timeProvider = timeProvider;
    }

    /// <summary>The breaker for <paramref name="key"/>, created closed on first use.</summary>
    public CircuitBreaker Get(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _breakers.TryGetValue(key, out var breaker)
            ? breaker
            : _breakers.GetOrAdd(key, static (_, state) => new CircuitBreaker(state._options, state._timeProvider), this);
    }

    /// <summary>True when the breaker for <paramref name="key"/> exists and is open. Does not create one.</summary>
    public bool IsOpen(string key) => _breakers.TryGetValue(key, out var breaker) && breaker.IsOpen;

    /// <summary>Records one call's outcome on the breaker for <paramref name="key"/>.</summary>
    public void Record(string key, bool ok, TimeSpan latency) => Get(key).Record(ok, latency);
}

namespace Sec0.Policy;

/// <summary>
/// The circuit breaker of one hop or tool: a sliding window over its last calls' outcomes and latencies.
/// It opens when, with at least <c>min_samples</c> calls in the window, the error rate reaches
/// <c>error_rate_pct</c> or the p95 latency (nearest rank) reaches <c>p95_latency_ms</c>. After
/// <c>cooldown_ms</c> it lets calls through as probes (half-open): a success closes it with an empty window,
/// a failure opens it again. <see cref="IsOpen"/> is a lock-free read for the decision path; <see cref="Record(bool, double)"/>
/// takes a short lock after each call. Thread-safe.
/// </summary>
public sealed class CircuitBreaker
{
    private readonly CircuitBreakerOptions _options;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly bool[] _failed;
    private readonly double[] _latencies;
    private readonly double[] _scratch;
    private int _count;
    private int _next;
    private int _failures;
    private int _state;
    private long _openUntilUtcTicks;

    /// <summary>Creates a closed breaker.</summary>
    /// <param name="options">The thresholds (<c>enforcement.circuit_breakers</c>).</param>
    /// <param name="timeProvider">The clock for cooldowns; null for the system clock.</param>
    public CircuitBreaker(CircuitBreakerOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        var size = Math.Max(1, Math.Max(options.WindowSize, options.MinSamples));
        _failed = new bool[size];
        _latencies = new double[size];
        _scratch = new double[size];
    }

    /// <summary>True while the breaker is open and its cooldown has not ended: calls must be denied.</summary>
    public bool IsOpen =>
        Volatile.Read(ref _state) == (int)CircuitBreakerState.Open && _time.GetUtcNow().UtcTicks < Volatile.Read(ref _openUntilUtcTicks);

    /// <summary>The state now (an open breaker whose cooldown ended reads as half-open).</summary>
    public CircuitBreakerState State =>
        Volatile.Read(ref _state) == (int)CircuitBreakerState.Open && !IsOpen ? CircuitBreakerState.HalfOpen : (CircuitBreakerState)Volatile.Read(ref _state);

    /// <summary>How many calls the window holds.</summary>
    public int SampleCount
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>Records the outcome of one call.</summary>
    /// <param name="ok">False when the call failed.</param>
    /// <param name="latency">How long the call took.</param>
    public void Record(bool ok, TimeSpan latency) => Record(ok, latency.TotalMilliseconds);

    /// <summary>Records the outcome of one call.</summary>
    /// <param name="ok">False when the call failed.</param>
    /// <param name="latencyMs">How long the call took, in milliseconds.</param>
    public void Record(bool ok, double latencyMs)
    {
        lock (_gate)
        {
            var state = (CircuitBreakerState)_state;
            if (state == CircuitBreakerState.Open && _time.GetUtcNow().UtcTicks >= _openUntilUtcTicks)
            {
                state = CircuitBreakerState.HalfOpen;
            }

            if (state == CircuitBreakerState.HalfOpen)
            {
                // A probe decides alone: the old window described the outage, not the recovery.
                Clear();
                if (ok)
                {
                    Volatile.Write(ref _state, (int)CircuitBreakerState.Closed);
                    Add(ok, latencyMs);
                }
                else
                {
                    Open();
                }

                return;
            }

            Add(ok, latencyMs);
            if (state == CircuitBreakerState.Closed && ShouldOpen())
            {
                Open();
                Clear();
            }
        }
    }

    /// <summary>Closes the breaker and empties its window.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            Clear();
            Volatile.Write(ref _state, (int)CircuitBreakerState.Closed);
        }
    }

    private void Add(bool ok, double latencyMs)
    {
        if (_count == _failed.Length)
        {
            // The window is full: the oldest sample drops out.
            if (_failed[_next])
            {
                _failures--;
            }
        }
        else
        {
            _count++;
        }

        _failed[_next] = !ok;
        _latencies[_next] = double.IsFinite(latencyMs) && latencyMs > 0 ? latencyMs : 0;
        if (!ok)
        {
            _failures++;
        }

        _next = (_next + 1) % _failed.Length;
    }

    private bool ShouldOpen()
    {
        if (_count < Math.Max(1, _options.MinSamples))
        {
            return false;
        }

        if (_options.ErrorRatePct is double errorRate && _failures * 100.0 / _count >= errorRate)
        {
            return true;
        }

        if (_options.P95LatencyMs is double p95Limit)
        {
            Array.Copy(_latencies, _scratch, _count);
            Array.Sort(_scratch, 0, _count);
            var rank = (int)Math.Ceiling(0.95 * _count) - 1;
            return _scratch[Math.Clamp(rank, 0, _count - 1)] >= p95Limit;
        }

        return false;
    }

    private void Open()
    {
        var cooldown = TimeSpan.FromMilliseconds(Math.Max(0, _options.CooldownMs));
        Volatile.Write(ref _openUntilUtcTicks, _time.GetUtcNow().UtcTicks + cooldown.Ticks);
        Volatile.Write(ref _state, (int)CircuitBreakerState.Open);
    }

    private void Clear()
    {
        _count = 0;
        _next = 0;
        _failures = 0;
    }
}

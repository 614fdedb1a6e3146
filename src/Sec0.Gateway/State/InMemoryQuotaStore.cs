using System.Collections.Concurrent;

namespace Sec0.Gateway.State;

/// <summary>
/// Quota counters in process memory, for one gateway process: a token bucket per tenant and tool for the
/// rate, and a counter per tenant, tool and UTC day. Each key has its own lock, so every decision is exact
/// under any concurrency and different keys do not contend.
/// </summary>
/// <remarks>
/// <para>
/// Unlike Sec0's TS gateway (DESIGN.md §10.4), the bucket refuses when it holds less than one whole token
/// (the TS in-memory bucket never refused), and the daily count resets at UTC midnight, not 24 h after the
/// first call.
/// </para>
/// <para>
/// Memory: one small entry per (tenant, tool) in use. A daily entry whose day is past is reset on its next
/// use and removed by the sweep; a bucket that has refilled completely is equivalent to a new one and the
/// sweep removes it too. The sweep runs inline, on the call that reaches the operation threshold, at most
/// once per as many operations as there are entries (so its cost per operation stays constant).
/// </para>
/// </remarks>
public sealed class InMemoryQuotaStore : IQuotaStore
{
    // Doubles that should add up to a whole token can fall short by a rounding error (ten refills of 0.1):
    // that shortfall still counts as a token.
    private const double Epsilon = 1e-9;
    private const int MinSweepInterval = 1024;

    private readonly ConcurrentDictionary<(string Tenant, string ToolRef), Bucket> _buckets = new();
    private readonly ConcurrentDictionary<(string Tenant, string ToolRef), DailyCounter> _daily = new();
    private int _operationsSinceSweep;
    private int _sweepInterval = MinSweepInterval;
    private int _sweeping;

    /// <summary>Creates an empty store. Time comes with each call (<c>now</c>).</summary>
    public InMemoryQuotaStore()
    {
    }

    /// <summary>The number of rate and daily entries held (for tests of the sweep).</summary>
    internal int EntryCount => _buckets.Count + _daily.Count;

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The rate is negative or not finite, or the burst is below 1.</exception>
    /// <remarks>
    /// The bucket refills continuously and keeps fractional tokens. When refused,
    /// <see cref="RateDecision.RetryAfter"/> is the exact time until one whole token (rounded up to a tick;
    /// <see cref="TimeSpan.MaxValue"/> at rate 0); rounding it for a <c>Retry-After</c> header is the caller's business.
    /// </remarks>
    public ValueTask<RateDecision> TryTakeAsync(string tenant, string toolRef, double ratePerSecond, int burst, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(toolRef);
        if (!double.IsFinite(ratePerSecond) || ratePerSecond < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ratePerSecond), ratePerSecond, "The rate must be a finite number of tokens per second, 0 or more.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        cancellationToken.ThrowIfCancellationRequested();

        var key = (tenant, toolRef);
        RateDecision decision;
        while (true)
        {
            var bucket = _buckets.GetOrAdd(key, static _ => new Bucket());
            lock (bucket)
            {
                // The sweep removed this bucket after we looked it up: take the one now in the dictionary.
                if (bucket.Removed)
                {
                    continue;
                }

                decision = bucket.Take(ratePerSecond, burst, now);
                break;
            }
        }

        CountOperation(now);
        return ValueTask.FromResult(decision);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The limit is negative.</exception>
    public ValueTask<DailyDecision> TryCountAsync(string tenant, string toolRef, long limit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(toolRef);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        cancellationToken.ThrowIfCancellationRequested();

        var key = (tenant, toolRef);
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        DailyDecision decision;
        while (true)
        {
            var counter = _daily.GetOrAdd(key, static _ => new DailyCounter());
            lock (counter)
            {
                if (counter.Removed)
                {
                    continue;
                }

                decision = counter.Count(limit, today);
                break;
            }
        }

        CountOperation(now);
        return ValueTask.FromResult(decision);
    }

    /// <summary>Removes the buckets that are full at <paramref name="now"/> and the daily entries of days before it.</summary>
    internal void Sweep(DateTimeOffset now)
    {
        Interlocked.Exchange(ref _operationsSinceSweep, 0);
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        foreach (var (key, bucket) in _buckets)
        {
            lock (bucket)
            {
                if (!bucket.Removed && bucket.IsFullAt(now))
                {
                    bucket.Removed = true;
                    _buckets.TryRemove(new KeyValuePair<(string, string), Bucket>(key, bucket));
                }
            }
        }

        foreach (var (key, counter) in _daily)
        {
            lock (counter)
            {
                if (!counter.Removed && counter.Day < today)
                {
                    counter.Removed = true;
                    _daily.TryRemove(new KeyValuePair<(string, string), DailyCounter>(key, counter));
                }
            }
        }

        // The next sweep comes after as many operations as there are entries left: constant cost per operation.
        Volatile.Write(ref _sweepInterval, Math.Max(MinSweepInterval, EntryCount));
    }

    private void CountOperation(DateTimeOffset now)
    {
        if (Interlocked.Increment(ref _operationsSinceSweep) < Volatile.Read(ref _sweepInterval))
        {
            return;
        }

        // One sweep at a time; the others go on.
        if (Interlocked.Exchange(ref _sweeping, 1) != 0)
        {
            return;
        }

        try
        {
            Sweep(now);
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    /// <summary>A token bucket; guarded by its own lock.</summary>
    private sealed class Bucket
    {
        private bool _started;
        private double _tokens;
        private DateTimeOffset _last;
        private double _rate;
        private int _burst;

        /// <summary>Set, under the lock, when the sweep removed the bucket from the dictionary.</summary>
        public bool Removed { get; set; }

        public RateDecision Take(double rate, int burst, DateTimeOffset now)
        {
            if (!_started)
            {
                _started = true;
                _tokens = burst;
                _last = now;
            }
            else if (now > _last)
            {
                _tokens = Math.Min(burst, _tokens + (Seconds(now - _last) * rate));
                _last = now;
            }
            else
            {
                // A call with an earlier time (another thread read the clock first) refills nothing; the clock does not go back.
                _tokens = Math.Min(burst, _tokens);
            }

            // Kept for the sweep, which knows neither.
            _rate = rate;
            _burst = burst;

            if (_tokens >= 1 - Epsilon)
            {
                _tokens = Math.Max(0, _tokens - 1);
                return new RateDecision(true, (long)Math.Floor(_tokens + Epsilon), TimeSpan.Zero);
            }

            return new RateDecision(false, 0, TimeUntilOneToken(_tokens, rate));
        }

        public bool IsFullAt(DateTimeOffset now)
        {
            if (!_started)
            {
                return false;
            }

            var elapsed = now > _last ? Seconds(now - _last) : 0;
            return _tokens + (elapsed * _rate) >= _burst - Epsilon;
        }

        private static double Seconds(TimeSpan span) => span.Ticks / (double)TimeSpan.TicksPerSecond;

        private static TimeSpan TimeUntilOneToken(double tokens, double rate)
        {
            if (rate <= 0)
            {
                return TimeSpan.MaxValue;
            }

            // Rounded up: a retry after exactly this long finds the token.
            var ticks = Math.Ceiling((1 - tokens) / rate * TimeSpan.TicksPerSecond);
            return ticks >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks(Math.Max(1, (long)ticks));
        }
    }

    /// <summary>The count of one UTC day; guarded by its own lock.</summary>
    private sealed class DailyCounter
    {
        private long _count;

        /// <summary>The UTC day counted; default (year 1) before the first call.</summary>
        public DateOnly Day { get; private set; }

        /// <summary>Set, under the lock, when the sweep removed the counter from the dictionary.</summary>
        public bool Removed { get; set; }

        public DailyDecision Count(long limit, DateOnly today)
        {
            // A new day drops the old day's count. A call whose time is still on the previous day (it read the
            // clock just before midnight, another thread counted just after) counts against the newer day.
            if (today > Day)
            {
                Day = today;
                _count = 0;
            }

            var resetAt = Day == DateOnly.MaxValue
                ? DateTimeOffset.MaxValue
                : new DateTimeOffset(Day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

            if (_count >= limit)
            {
                return new DailyDecision(false, 0, resetAt);
            }

            _count++;
            return new DailyDecision(true, limit - _count, resetAt);
        }
    }
}

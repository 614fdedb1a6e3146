namespace Sec0.Gateway.State;

/// <summary>
/// Quota counters per tenant and tool: a token bucket for the rate and a counter per UTC day. Both
/// operations are atomic: under any concurrency, exactly the allowed number of calls get through.
/// In memory here (<c>InMemoryQuotaStore</c>); shared across gateway replicas by a database store.
/// </summary>
public interface IQuotaStore
{
    /// <summary>
    /// Takes one token from the bucket of (<paramref name="tenant"/>, <paramref name="toolRef"/>), which holds at
    /// most <paramref name="burst"/> tokens and refills at <paramref name="ratePerSecond"/>. A full bucket to start with.
    /// </summary>
    ValueTask<RateDecision> TryTakeAsync(string tenant, string toolRef, double ratePerSecond, int burst, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Counts one call against the daily quota of (<paramref name="tenant"/>, <paramref name="toolRef"/>) for the UTC
    /// day of <paramref name="now"/>; refuses, without counting, once <paramref name="limit"/> calls were counted.
    /// </summary>
    ValueTask<DailyDecision> TryCountAsync(string tenant, string toolRef, long limit, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>The outcome of <see cref="IQuotaStore.TryTakeAsync"/>.</summary>
/// <param name="Allowed">A token was taken.</param>
/// <param name="Remaining">Whole tokens left after this call.</param>
/// <param name="RetryAfter">When refused: how long until a token is there.</param>
public readonly record struct RateDecision(bool Allowed, long Remaining, TimeSpan RetryAfter);

/// <summary>The outcome of <see cref="IQuotaStore.TryCountAsync"/>.</summary>
/// <param name="Allowed">The call was counted.</param>
/// <param name="Remaining">Calls left today after this one.</param>
/// <param name="ResetAt">The next UTC midnight, when the count starts again.</param>
public readonly record struct DailyDecision(bool Allowed, long Remaining, DateTimeOffset ResetAt);

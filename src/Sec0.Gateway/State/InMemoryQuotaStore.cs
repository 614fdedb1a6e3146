namespace Sec0.Gateway.State;

/// <summary>Placeholder, replaced by the state work.</summary>
public sealed class InMemoryQuotaStore : IQuotaStore
{
    /// <inheritdoc />
    public ValueTask<RateDecision> TryTakeAsync(string tenant, string toolRef, double ratePerSecond, int burst, DateTimeOffset now, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <inheritdoc />
    public ValueTask<DailyDecision> TryCountAsync(string tenant, string toolRef, long limit, DateTimeOffset now, CancellationToken cancellationToken) => throw new NotImplementedException();
}

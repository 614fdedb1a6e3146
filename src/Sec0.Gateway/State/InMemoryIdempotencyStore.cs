namespace Sec0.Gateway.State;

/// <summary>Placeholder, replaced by the state work.</summary>
public sealed class InMemoryIdempotencyStore : IIdempotencyStore
{
    /// <summary>Creates the store.</summary>
    public InMemoryIdempotencyStore(TimeProvider time) => _ = time;

    /// <inheritdoc />
    public ValueTask<IdempotencyClaim> ClaimAsync(IdempotencyKey key, string requestHash, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <inheritdoc />
    public ValueTask<bool> CompleteAsync(IdempotencyKey key, string leaseId, StoredResponse response, TimeSpan ttl, DateTimeOffset now, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <inheritdoc />
    public ValueTask ReleaseAsync(IdempotencyKey key, string leaseId, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <inheritdoc />
    public ValueTask<IdempotencyClaim> WaitAsync(IdempotencyKey key, string requestHash, TimeSpan lease, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken) => throw new NotImplementedException();
}

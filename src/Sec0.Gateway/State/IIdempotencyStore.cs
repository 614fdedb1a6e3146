namespace Sec0.Gateway.State;

/// <summary>
/// Idempotency records: the first request with a key claims it and executes; the others get its stored
/// response, wait for it, or learn that the key was used for another request. In memory here
/// (<c>InMemoryIdempotencyStore</c>); shared across gateway replicas by a database store.
/// </summary>
public interface IIdempotencyStore
{
    /// <summary>
    /// Claims <paramref name="key"/> for a request whose canonical body hashes to <paramref name="requestHash"/>.
    /// The claim is held for <paramref name="lease"/>: a claimer that dies does not block the key longer.
    /// </summary>
    ValueTask<IdempotencyClaim> ClaimAsync(IdempotencyKey key, string requestHash, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Stores the response of the claimed request for <paramref name="ttl"/> and wakes the waiters. Only the holder of <paramref name="leaseId"/> can.</summary>
    /// <returns>False when the lease was lost (expired and taken over): the response is not stored.</returns>
    ValueTask<bool> CompleteAsync(IdempotencyKey key, string leaseId, StoredResponse response, TimeSpan ttl, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Gives the key up without a response (the request failed): the next request with it executes.</summary>
    ValueTask ReleaseAsync(IdempotencyKey key, string leaseId, CancellationToken cancellationToken);

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for the request holding <paramref name="key"/> to complete or give it up;
    /// returns the state then (<see cref="IdempotencyClaimKind.InFlight"/> when it is still running).
    /// A released or expired key is claimed for this request.
    /// </summary>
    ValueTask<IdempotencyClaim> WaitAsync(IdempotencyKey key, string requestHash, TimeSpan lease, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken);
}

/// <summary>An idempotency key, scoped so that the same key in another tenant or for another tool is another record.</summary>
/// <param name="Tenant">The caller's tenant.</param>
/// <param name="Server">The target server.</param>
/// <param name="ToolAtVersion">The tool and version, <c>tool@version</c>.</param>
/// <param name="Key">The caller's <c>x-idempotency-key</c>.</param>
public readonly record struct IdempotencyKey(string Tenant, string Server, string ToolAtVersion, string Key);

/// <summary>What <see cref="IIdempotencyStore.ClaimAsync"/> found.</summary>
public enum IdempotencyClaimKind
{
    /// <summary>This request holds the key now and executes.</summary>
    Claimed,

    /// <summary>A request with this key and body completed: replay its response.</summary>
    Completed,

    /// <summary>A request with this key is executing now.</summary>
    InFlight,

    /// <summary>The key was used for a request with another body: refuse (422).</summary>
    Mismatch,
}

/// <summary>The state of an idempotency key.</summary>
/// <param name="Kind">What was found.</param>
/// <param name="LeaseId">With <see cref="IdempotencyClaimKind.Claimed"/>: what <see cref="IIdempotencyStore.CompleteAsync"/> and <see cref="IIdempotencyStore.ReleaseAsync"/> need.</param>
/// <param name="Response">With <see cref="IdempotencyClaimKind.Completed"/>: the stored response.</param>
public readonly record struct IdempotencyClaim(IdempotencyClaimKind Kind, string? LeaseId, StoredResponse? Response);

/// <summary>A response kept for replays.</summary>
/// <param name="StatusCode">Its HTTP status.</param>
/// <param name="ContentType">Its content type.</param>
/// <param name="Body">Its body bytes.</param>
public sealed record StoredResponse(int StatusCode, string ContentType, byte[] Body);

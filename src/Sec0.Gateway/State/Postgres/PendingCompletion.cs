namespace Sec0.Gateway.State.Postgres;

/// <summary>One completion waiting for <see cref="PostgresCompletionBatcher"/>.</summary>
internal sealed class PendingCompletion(IdempotencyKey key, Guid lease, StoredResponse response, DateTimeOffset expiresAt, string notifyPayload)
{
    public IdempotencyKey Key { get; } = key;

    public Guid Lease { get; } = lease;

    public StoredResponse Response { get; } = response;

    public DateTimeOffset ExpiresAt { get; } = expiresAt;

    public string NotifyPayload { get; } = notifyPayload;

    public TaskCompletionSource<bool> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

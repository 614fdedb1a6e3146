using Sec0.Gateway.State;

namespace Sec0.Gateway.Pipeline;

/// <summary>An idempotency key this request claimed: completed with the answer or released when the request ends.</summary>
internal sealed record GatewayLease(IIdempotencyStore Store, IdempotencyKey Key, string LeaseId);

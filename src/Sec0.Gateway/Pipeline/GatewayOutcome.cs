using Sec0.Gateway.State;

namespace Sec0.Gateway.Pipeline;

/// <summary>How a request ended: an error, a forwarded answer, or a replayed one.</summary>
internal readonly record struct GatewayOutcome(GatewayError? Error, byte[]? Body, StoredResponse? Stored, bool Escalated)
{
    public static GatewayOutcome Failed(GatewayError error, bool escalated = false) => new(error, null, null, escalated);

    public static GatewayOutcome Forwarded(byte[] body) => new(null, body, null, false);

    public static GatewayOutcome Replay(StoredResponse stored) => new(null, stored.Body, stored, false);
}

using Sec0.Gateway.State;

namespace Sec0.Gateway;

/// <summary>Idempotency of the gateway (<c>gateway.dedupe</c>).</summary>
public sealed class GatewayDedupeOptions
{
    /// <summary>Replay repeated requests and run concurrent duplicates once (default true).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a response is kept for replays (default 24 h).</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long a duplicate waits for the first request's result before it gets 409 (default 2 s, as Sec0's TS gateway).</summary>
    public TimeSpan WaitForFirst { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a claim holds when its request never finishes (a crashed replica); default the max duration plus 30 s.</summary>
    public TimeSpan? Lease { get; set; }

    /// <summary>Where the records live; null: in memory (one process).</summary>
    public IIdempotencyStore? Store { get; set; }
}

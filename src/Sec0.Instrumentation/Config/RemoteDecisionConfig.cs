namespace Sec0.Config;

/// <summary>
/// <c>controlPlane.runtime</c> (or the <c>SEC0_RUNTIME_*</c> variables): calls the local engine finds a violation in are
/// also decided by a remote engine (<c>POST /v1/runtime/evaluate</c>), within a latency budget (docs/control-plane.md).
/// </summary>
public sealed record RemoteDecisionConfig
{
    /// <summary><c>endpoint</c> / <c>SEC0_RUNTIME_REMOTE_URL</c>: the evaluate URL, path included.</summary>
    public required Uri Endpoint { get; init; }

    /// <summary><c>failureMode</c> / <c>SEC0_RUNTIME_FAILURE_MODE</c>: what decides when the remote engine is late or fails.</summary>
    public RemoteDecisionFailureMode FailureMode { get; init; } = RemoteDecisionFailureMode.Local;

    /// <summary><c>timeoutMs</c> / <c>SEC0_RUNTIME_TIMEOUT_MS</c>: the latency budget of one decision, retries included (default 1500 ms).</summary>
    public TimeSpan Budget { get; init; } = TimeSpan.FromMilliseconds(1500);

    /// <summary><c>maxRetries</c> / <c>SEC0_RUNTIME_MAX_RETRIES</c>: retries after a 429, 5xx or dropped connection, within the budget (default 1).</summary>
    public int MaxRetries { get; init; } = 1;

    /// <summary><c>retryBackoffMs</c> / <c>SEC0_RUNTIME_RETRY_BACKOFF_MS</c>: the wait before retry n is n times this (default 150 ms).</summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromMilliseconds(150);

    /// <summary><c>SEC0_RUNTIME_API_KEY</c>, else the control-plane API key; sent as a bearer token when set.</summary>
    public string? ApiKey { get; init; }
}

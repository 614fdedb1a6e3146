namespace Sec0.Config;

/// <summary><c>auth</c>: credentials. Both are optional; the product works fully offline without them.</summary>
public sealed record AuthConfig
{
    /// <summary><c>auth.svcToken</c>, falling back to the <c>SVC_TOKEN</c> environment variable; null when neither is set.</summary>
    public string? SvcToken { get; init; }

    /// <summary><c>auth.sec0ApiKey</c>, falling back to the <c>SEC0_API_KEY</c> environment variable; null when neither is set.</summary>
    public string? Sec0ApiKey { get; init; }

    /// <summary>
    /// The <c>SEC0_BEARER_TOKEN</c> environment variable (there is no config key for it, as in Sec0's TypeScript SDK,
    /// whose gateway sends it to the control plane); null when unset. Read and exposed for the control-plane client.
    /// </summary>
    public string? Sec0BearerToken { get; init; }
}

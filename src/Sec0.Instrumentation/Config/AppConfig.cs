namespace Sec0.Config;

/// <summary>The <c>app</c> block: who the application is and which hops it has.</summary>
public sealed record AppConfig
{
    /// <summary><c>app.tenant</c>: required.</summary>
    public required string Tenant { get; init; }

    /// <summary><c>app.environment</c>, normalized to lowercase: <c>dev</c>, <c>staging</c> or <c>prod</c>.</summary>
    public required string Environment { get; init; }

    /// <summary><c>app.client</c>; its fields are null when the block is absent.</summary>
    public ClientConfig Client { get; init; } = new();

    /// <summary><c>app.hops</c> by key (ordinal comparison); empty when the block is absent.</summary>
    public IReadOnlyDictionary<string, HopConfig> Hops { get; init; } = new Dictionary<string, HopConfig>(StringComparer.Ordinal);
}

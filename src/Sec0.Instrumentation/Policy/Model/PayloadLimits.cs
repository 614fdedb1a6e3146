namespace Sec0.Policy;

/// <summary><c>security.limits</c>: size and duration limits; null means no limit.</summary>
public sealed record PayloadLimits
{
    /// <summary>No limits.</summary>
    public static PayloadLimits None { get; } = new();

    /// <summary><c>max_payload_kb</c>: arguments larger than this many KiB (1024 bytes) are <c>payload_too_large</c>.</summary>
    public double? MaxPayloadKb { get; init; }

    /// <summary><c>max_duration_ms</c>: an expected duration above this is <c>duration_too_long</c>.</summary>
    public double? MaxDurationMs { get; init; }
}

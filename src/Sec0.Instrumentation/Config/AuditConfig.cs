using Sec0.Audit;

namespace Sec0.Config;

/// <summary>
/// The optional top-level <c>audit</c> block: how the audit appender writes and signs. It is a .NET
/// addition; the TypeScript SDK ignores it. Every field has a default, so the block may be left out.
/// </summary>
public sealed record AuditConfig
{
    /// <summary>The audit settings used when the block is absent.</summary>
    public static AuditConfig Default { get; } = new();

    /// <summary><c>audit.flush</c>: <c>none</c>, <c>batch</c> (default) or <c>always</c>.</summary>
    public AuditFlushMode Flush { get; init; } = AuditFlushMode.Batch;

    /// <summary><c>audit.signing</c>: <c>per_envelope</c> (default) or <c>checkpoint</c>.</summary>
    public AuditSigningMode Signing { get; init; } = AuditSigningMode.PerEnvelope;

    /// <summary><c>audit.checkpointEvery</c>: envelopes per signed checkpoint in checkpoint mode (default 1000).</summary>
    public int CheckpointEvery { get; init; } = 1000;

    /// <summary><c>audit.checkpointIntervalMs</c>: the longest time between checkpoints in checkpoint mode (default 1000 ms).</summary>
    public int CheckpointIntervalMs { get; init; } = 1000;

    /// <summary><c>audit.channelCapacity</c>: envelopes the appender buffers before writers wait (default 8192).</summary>
    public int ChannelCapacity { get; init; } = 8192;
}

namespace Sec0.Audit;

/// <summary>
/// When the audit appender flushes written envelopes to disk. Set with <c>audit.flush</c> in
/// <c>sec0.config.yaml</c> (<c>none</c>, <c>batch</c> or <c>always</c>).
/// </summary>
public enum AuditFlushMode
{
    /// <summary><c>none</c>: leave flushing to the operating system; fastest, may lose the last lines on a crash.</summary>
    None = 0,
    /// <summary><c>batch</c> (default): flush once per drained batch of envelopes.</summary>
    Batch,
    /// <summary><c>always</c>: flush after every envelope; slowest, loses nothing that was acknowledged.</summary>
    Always,
}

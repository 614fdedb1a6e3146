namespace Sec0.Mcp;

/// <summary>Sec0's <c>sec0</c> options: where the signed audit log is written and how long it is kept.</summary>
public sealed class Sec0McpAuditOptions
{
    /// <summary>The audit directory (the <c>audit-YYYY-MM-DD.ndjson</c> files). Required.</summary>
    public string? Dir { get; set; }

    /// <summary>Days of audit files to keep; at least 1. Defaults to 30.</summary>
    public int RetentionDays { get; set; } = 30;

    /// <summary>Which lines are signed: every envelope (default), or a signed checkpoint every N lines or T ms for high-volume servers.</summary>
    public Sec0.Audit.AuditSigningMode Signing { get; set; } = Sec0.Audit.AuditSigningMode.PerEnvelope;

    /// <summary>Durability of an audit append (default <see cref="Sec0.Audit.AuditFlushMode.Batch"/>).</summary>
    public Sec0.Audit.AuditFlushMode Flush { get; set; } = Sec0.Audit.AuditFlushMode.Batch;
}

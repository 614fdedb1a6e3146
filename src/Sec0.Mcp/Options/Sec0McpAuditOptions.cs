namespace Sec0.Mcp;

/// <summary>Sec0's <c>sec0</c> options: where the signed audit log is written and how long it is kept.</summary>
public sealed class Sec0McpAuditOptions
{
    /// <summary>The audit directory (the <c>audit-YYYY-MM-DD.ndjson</c> files). Required.</summary>
    public string? Dir { get; set; }

    /// <summary>Days of audit files to keep; at least 1. Defaults to 30.</summary>
    public int RetentionDays { get; set; } = 30;
}

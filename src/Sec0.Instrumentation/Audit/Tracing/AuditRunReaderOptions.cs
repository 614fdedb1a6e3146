namespace Sec0.Audit.Tracing;

/// <summary>Which runs <see cref="AuditRunReader"/> draws, and its limits.</summary>
public sealed class AuditRunReaderOptions
{
    /// <summary>
    /// The one run to draw: its key (<see cref="AuditRun.Key"/>: the run id, or <c>trace:&lt;trace id&gt;</c>), or a
    /// prefix of it that only that run has. Null: the newest <see cref="Last"/> runs.
    /// </summary>
    public string? RunId { get; set; }

    /// <summary>Without <see cref="RunId"/>: how many runs to draw, the newest by start time; null for every run.</summary>
    public int? Last { get; set; }

    /// <summary>
    /// Lines longer than this (bytes) are reported and skipped without being buffered. Default 4 MiB: an envelope
    /// with a large server snapshot or many scan findings stays well under it.
    /// </summary>
    public int MaxLineBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>How many unreadable lines <see cref="AuditTrace.Problems"/> lists; the rest are only counted. Default 100.</summary>
    public int MaxListedProblems { get; set; } = 100;
}

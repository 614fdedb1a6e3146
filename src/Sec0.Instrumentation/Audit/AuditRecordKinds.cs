namespace Sec0.Audit;

/// <summary>
/// Values of the <c>record</c> field that marks a line the appender writes itself; envelopes have no
/// <c>record</c> field.
/// </summary>
public static class AuditRecordKinds
{
    /// <summary>
    /// The signed first line of every file, naming the file: a line moved to the neighbouring file keeps
    /// the chain's order, so this is what shows it no longer sits where it was written.
    /// </summary>
    public const string FileStart = "file_start";

    /// <summary>A signed line that seals every unsigned line before it (checkpoint signing mode).</summary>
    public const string Checkpoint = "checkpoint";

    /// <summary>A signed line written at start-up after a crash: names the torn bytes moved aside and continues the chain.</summary>
    public const string Recovery = "recovery";

    /// <summary>A signed line naming the files deleted by retention and where the retained chain starts.</summary>
    public const string Retention = "retention";
}

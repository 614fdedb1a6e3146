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

    /// <summary>
    /// A signed line written at start-up after a crash: names the torn bytes and the lines that were not a valid
    /// continuation of the signed log (moved aside), and continues the chain. Unsigned lines it seals
    /// (<c>covers_from</c>) were not sealed by the writer that wrote them: the verifier reports them as unauthenticated.
    /// </summary>
    public const string Recovery = "recovery";

    /// <summary>
    /// A signed line naming the files deleted by retention and, when the kept chain continues exactly from the
    /// last line deleted, where it starts (the anchor the verifier accepts instead of the genesis line).
    /// </summary>
    public const string Retention = "retention";

    /// <summary>
    /// A signed line written instead of a retention anchor when the kept log does not continue from the files
    /// retention deleted: something else deleted files or lines inside the retention window.
    /// </summary>
    public const string Gap = "gap";

    /// <summary>
    /// A signed line written at start-up when the log ends before the head the writer last recorded beside it
    /// (<c>.sec0-audit.head</c>): lines or files were removed from its end.
    /// </summary>
    public const string TruncationDetected = "truncation_detected";

    /// <summary>
    /// A signed line written at start-up when the signing mode changed and no other record says so. Every
    /// record carries <c>signing</c>, the mode in force from it on.
    /// </summary>
    public const string SigningMode = "signing_mode";
}

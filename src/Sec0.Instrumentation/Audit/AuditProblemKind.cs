namespace Sec0.Audit;

/// <summary>What is wrong with a line or a stretch of an audit log.</summary>
public enum AuditProblemKind
{
    /// <summary>The signature does not verify: the line was changed after it was signed, or forged.</summary>
    BadSignature,

    /// <summary>The line was signed by a key other than the one verifying.</summary>
    UnknownKey,

    /// <summary><c>prev</c> is not the hash of the line before: lines were deleted, inserted, changed or moved.</summary>
    BrokenChain,

    /// <summary>Sequence numbers are missing: lines or a whole file were deleted.</summary>
    Gap,

    /// <summary>A sequence number appears after a higher one: lines were reordered or moved.</summary>
    Reordered,

    /// <summary>A sequence number appears twice.</summary>
    Duplicate,

    /// <summary>The file ends in the middle of a line (a torn write, or a truncated file).</summary>
    Truncated,

    /// <summary>A line sits in a file other than the one it was written to (every file starts with its signed <c>file_start</c> record).</summary>
    Misplaced,

    /// <summary>The line is not a JSON audit record.</summary>
    Malformed,

    /// <summary>Unsigned lines (checkpoint mode) that no later signed line seals.</summary>
    Unsealed,

    /// <summary>The log does not start at its beginning and no retention record explains it: an earlier file was deleted.</summary>
    MissingStart,

    /// <summary>
    /// Unsigned lines (checkpoint mode) sealed only by a <c>recovery</c> record after a crash, not by the writer
    /// that wrote them: nothing proves Sec0 wrote them.
    /// </summary>
    Unauthenticated,

    /// <summary>Start-up recovery found lines at the end of the log that were not a valid continuation of it (unsigned, badly signed, not chained) and moved them aside.</summary>
    Rejected,

    /// <summary>Lines or files were removed from the end of the log (a <c>truncation_detected</c> record, or a log shorter than the expected head).</summary>
    TailCut,

    /// <summary>The line at the expected head's seq is not the expected one: the log was rewritten, or replaced by another log.</summary>
    HeadMismatch,

    /// <summary>There is nothing to verify: no audit file, or the newest file is empty.</summary>
    Empty,

    /// <summary>
    /// A line in Sec0's TypeScript SDK format with a valid signature, after Sec0 for .NET lines of the same log:
    /// the chain does not cover it and Sec0 for .NET never writes it, so it was added to the log.
    /// </summary>
    Unchained,
}

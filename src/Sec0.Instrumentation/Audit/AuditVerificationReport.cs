using System.Globalization;

namespace Sec0.Audit;

/// <summary>The outcome of verifying an audit log.</summary>
public sealed class AuditVerificationReport
{
    internal AuditVerificationReport(int files, long envelopes, long validEnvelopes, long unauthenticatedEnvelopes, long records, IReadOnlyList<AuditProblem> problems, long unlistedProblems = 0, IReadOnlyList<AuditTypeScriptFile>? typeScriptFiles = null)
    {
        TypeScriptFiles = typeScriptFiles ?? [];
        TypeScriptLines = TypeScriptFiles.Sum(static f => f.Lines);
        Files = files;
        Envelopes = envelopes;
        ValidEnvelopes = validEnvelopes;
        UnauthenticatedEnvelopes = unauthenticatedEnvelopes;
        Records = records;
        Problems = problems;
        UnlistedProblems = unlistedProblems;
    }

    /// <summary>How many files were read.</summary>
    public int Files { get; }

    /// <summary>How many envelope lines were read (checkpoint, recovery and retention records not counted).</summary>
    public long Envelopes { get; }

    /// <summary>How many envelopes are signed (or sealed), chained and in sequence.</summary>
    public long ValidEnvelopes { get; }

    /// <summary>
    /// How many envelopes are unsigned lines that only a <c>recovery</c> record sealed after a crash
    /// (checkpoint mode): chained, but not authenticated; not counted in <see cref="ValidEnvelopes"/>.
    /// </summary>
    public long UnauthenticatedEnvelopes { get; }

    /// <summary>
    /// How many envelopes are lines written by Sec0's TypeScript SDK whose signature verifies: counted in
    /// <see cref="ValidEnvelopes"/>, but in no chain (see <see cref="AuditTypeScriptFile"/>).
    /// </summary>
    public long TypeScriptLines { get; }

    /// <summary>The files holding such lines, with how many each holds, in file order.</summary>
    public IReadOnlyList<AuditTypeScriptFile> TypeScriptFiles { get; }

    /// <summary>How many records the appender wrote itself (checkpoints, recovery, retention).</summary>
    public long Records { get; }

    /// <summary>
    /// The problems found, in file and line order: all of them, or the first
    /// <see cref="AuditLogVerifier.MaxListedProblems"/> when there are more (<see cref="UnlistedProblems"/>).
    /// </summary>
    public IReadOnlyList<AuditProblem> Problems { get; }

    /// <summary>How many more problems were found than <see cref="Problems"/> lists (0 unless there are very many).</summary>
    public long UnlistedProblems { get; }

    /// <summary>True when there is no problem at all.</summary>
    public bool IsIntact => Problems.Count == 0;

    /// <summary>
    /// One line, e.g. <c>12000/12000 envelopes valid, chain intact, 3 files</c>,
    /// <c>990/1000 envelopes valid, 10 unauthenticated, 1 problem, 1 file</c>, or for a log of the TypeScript
    /// SDK <c>9/9 envelopes valid, 9 signed, unchained (TypeScript SDK format), no problem found, 4 files</c>.
    /// </summary>
    public string Summary => string.Create(
        CultureInfo.InvariantCulture,
        $"{ValidEnvelopes}/{Envelopes} envelopes valid, {(TypeScriptLines > 0 ? $"{TypeScriptLines} signed, unchained (TypeScript SDK format), " : "")}{(UnauthenticatedEnvelopes > 0 ? $"{UnauthenticatedEnvelopes} unauthenticated, " : "")}{(IsIntact ? (HasChainedLines ? "chain intact" : "no problem found") : $"{Problems.Count + UnlistedProblems} problem{(Problems.Count + UnlistedProblems == 1 ? "" : "s")}")}, {Files} file{(Files == 1 ? "" : "s")}");

    // Only TypeScript SDK lines: there is no chain to call intact.
    private bool HasChainedLines => Records > 0 || Envelopes > TypeScriptLines;
}

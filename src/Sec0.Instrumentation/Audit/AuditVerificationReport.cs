using System.Globalization;

namespace Sec0.Audit;

/// <summary>The outcome of verifying an audit log.</summary>
public sealed class AuditVerificationReport
{
    internal AuditVerificationReport(int files, long envelopes, long validEnvelopes, long unauthenticatedEnvelopes, long records, IReadOnlyList<AuditProblem> problems)
    {
        Files = files;
        Envelopes = envelopes;
        ValidEnvelopes = validEnvelopes;
        UnauthenticatedEnvelopes = unauthenticatedEnvelopes;
        Records = records;
        Problems = problems;
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

    /// <summary>How many records the appender wrote itself (checkpoints, recovery, retention).</summary>
    public long Records { get; }

    /// <summary>Every problem found, in file and line order.</summary>
    public IReadOnlyList<AuditProblem> Problems { get; }

    /// <summary>True when there is no problem at all.</summary>
    public bool IsIntact => Problems.Count == 0;

    /// <summary>
    /// One line, e.g. <c>12000/12000 envelopes valid, chain intact, 3 files</c>, or
    /// <c>990/1000 envelopes valid, 10 unauthenticated, 1 problem, 1 file</c>.
    /// </summary>
    public string Summary => string.Create(
        CultureInfo.InvariantCulture,
        $"{ValidEnvelopes}/{Envelopes} envelopes valid, {(UnauthenticatedEnvelopes > 0 ? $"{UnauthenticatedEnvelopes} unauthenticated, " : "")}{(IsIntact ? "chain intact" : $"{Problems.Count} problem{(Problems.Count == 1 ? "" : "s")}")}, {Files} file{(Files == 1 ? "" : "s")}");
}

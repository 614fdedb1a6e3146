using Sec0.Policy;

namespace Sec0.Scanning;

/// <summary>
/// How a scanner's result becomes a verdict. The policy's thresholds decide, not the scanner's own
/// <c>status</c>: a finding at or above <c>block_on_severity</c> (or at least <c>block_on_count</c>
/// findings, for DAST) is <c>fail</c> even when the scanner said <c>pass</c>; a scanner <c>fail</c> whose
/// findings are all below the threshold is <c>pass</c> (the findings are still recorded). One exception:
/// a scanner <c>fail</c> with no findings at all stays <c>fail</c>, since there is nothing to weigh and
/// the scanner knows something we don't. <c>pending</c> and <c>error</c> pass through unchanged.
/// </summary>
public static class ScanVerdictRules
{
    /// <summary>The verdict status of a scanner result.</summary>
    /// <param name="scannerStatus">What the scanner said.</param>
    /// <param name="findings">Its findings.</param>
    /// <param name="blockOnSeverity">The policy's <c>block_on_severity</c>.</param>
    /// <param name="blockOnCount">The policy's <c>block_on_count</c> (DAST), or null.</param>
    public static ScanStatus Evaluate(ScanStatus scannerStatus, IReadOnlyList<ScanFinding> findings, ScanSeverity blockOnSeverity, int? blockOnCount = null)
    {
        switch (scannerStatus)
        {
            case ScanStatus.Pending or ScanStatus.Error:
                return scannerStatus;
            case ScanStatus.None:
                // A scanner that returns no status has not produced a verdict; never read that as a pass.
                return ScanStatus.Error;
        }

        if (Highest(findings) is { } highest && highest >= blockOnSeverity)
        {
            return ScanStatus.Fail;
        }

        if (blockOnCount is int count && count > 0 && findings.Count >= count)
        {
            return ScanStatus.Fail;
        }

        return scannerStatus == ScanStatus.Fail && findings.Count == 0 ? ScanStatus.Fail : ScanStatus.Pass;
    }

    /// <summary>The highest severity among <paramref name="findings"/>, or null when there are none.</summary>
    public static ScanSeverity? Highest(IReadOnlyList<ScanFinding> findings)
    {
        ScanSeverity? highest = null;
        foreach (var f in findings)
        {
            if (highest is null || f.Severity > highest)
            {
                highest = f.Severity;
            }
        }

        return highest;
    }
}

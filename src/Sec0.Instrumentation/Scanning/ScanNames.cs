using Sec0.Policy;

namespace Sec0.Scanning;

/// <summary>The wire names of scan statuses and severities, as envelopes and scanner outputs spell them.</summary>
public static class ScanNames
{
    /// <summary>The status of <see cref="ScanStatus.None"/>.</summary>
    public const string None = "none";

    /// <summary>The status of <see cref="ScanStatus.Pending"/>.</summary>
    public const string Pending = "pending";

    /// <summary>The status of <see cref="ScanStatus.Pass"/>.</summary>
    public const string Pass = "pass";

    /// <summary>The status of <see cref="ScanStatus.Fail"/>.</summary>
    public const string Fail = "fail";

    /// <summary>The status of <see cref="ScanStatus.Error"/>.</summary>
    public const string Error = "error";

    /// <summary><c>none</c> | <c>pending</c> | <c>pass</c> | <c>fail</c> | <c>error</c>.</summary>
    public static string Status(ScanStatus status) => status switch
    {
        ScanStatus.Pending => Pending,
        ScanStatus.Pass => Pass,
        ScanStatus.Fail => Fail,
        ScanStatus.Error => Error,
        _ => None,
    };

    /// <summary><c>low</c> | <c>medium</c> | <c>high</c> | <c>critical</c>.</summary>
    public static string Severity(ScanSeverity severity) => severity switch
    {
        ScanSeverity.Medium => "medium",
        ScanSeverity.High => "high",
        ScanSeverity.Critical => "critical",
        _ => "low",
    };

    /// <summary>
    /// Maps a scanner's severity word to a <see cref="ScanSeverity"/>: Sec0's own names, Semgrep's
    /// (INFO→low, WARNING→medium, ERROR→high, CRITICAL→critical), Nuclei's (info/unknown→low) and SARIF
    /// levels (note→low, warning→medium, error→high). An unknown word returns false: the adapters then
    /// use <c>high</c>, because a finding whose severity nobody understood must not slip under the threshold.
    /// </summary>
    public static bool TryParseSeverity(string? text, out ScanSeverity severity)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "low" or "info" or "note" or "unknown" or "none" or "experiment" or "inventory":
                severity = ScanSeverity.Low;
                return true;
            case "medium" or "warning" or "moderate":
                severity = ScanSeverity.Medium;
                return true;
            case "high" or "error":
                severity = ScanSeverity.High;
                return true;
            case "critical":
                severity = ScanSeverity.Critical;
                return true;
            default:
                severity = ScanSeverity.Low;
                return false;
        }
    }
}

namespace Sec0.Policy;

/// <summary>The SAST or DAST verdict known for a code hash when a call is decided.</summary>
public enum ScanStatus
{
    /// <summary><c>none</c>: no scan has been started for this hash (a new hash, or scanning is off).</summary>
    None = 0,
    /// <summary><c>pending</c>: a scan is running.</summary>
    Pending,
    /// <summary><c>pass</c>: the scan found nothing at or above the blocking threshold.</summary>
    Pass,
    /// <summary><c>fail</c>: the scan found something at or above the blocking threshold.</summary>
    Fail,
    /// <summary><c>error</c>: the scanner crashed or timed out; <c>fail_on_error</c> decides whether it counts as failed.</summary>
    Error,
}

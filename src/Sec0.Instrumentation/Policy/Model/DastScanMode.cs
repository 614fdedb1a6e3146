namespace Sec0.Policy;

/// <summary><c>dast.mode</c>: whether the first call waits for the DAST scan.</summary>
public enum DastScanMode
{
    /// <summary><c>sync</c> (default): the scan runs before the call it was triggered by is decided.</summary>
    Sync = 0,
    /// <summary><c>async</c>: the scan runs in the background; calls are decided on the verdict known at the time.</summary>
    Async,
}

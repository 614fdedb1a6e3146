using Sec0.Policy;

namespace Sec0.Mcp;

/// <summary>
/// Where SAST or DAST verdicts come from. Sec0.Mcp does not run scanners itself: <see cref="GetVerdict"/>
/// returns the known verdict for a tool's compile-time body hash (from a cache, a CI artefact, a scanner
/// service). Whether a verdict blocks is decided by the policy's <c>sast</c>/<c>dast</c> block, before the call.
/// </summary>
public sealed class Sec0McpScanOptions
{
    /// <summary>The verdict for a tool; null means no verdict is known (<see cref="ScanStatus.None"/>).</summary>
    public Func<McpToolScanSubject, ScanStatus>? GetVerdict { get; set; }
}

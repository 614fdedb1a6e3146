using System.Text.Json.Nodes;
using Sec0.Policy;

namespace Sec0.Scanning;

/// <summary>
/// What a SAST scanner returns (Sec0's <c>SastScanResult</c>). <see cref="Status"/> is the scanner's own
/// opinion; the verdict comes from <see cref="ScanVerdictRules"/>: the policy's <c>block_on_severity</c>
/// decides <c>fail</c> from the findings.
/// </summary>
public sealed record SastScanResult
{
    /// <summary><c>status</c>: <see cref="ScanStatus.Pass"/>, <see cref="ScanStatus.Fail"/>, <see cref="ScanStatus.Pending"/> or <see cref="ScanStatus.Error"/>.</summary>
    public ScanStatus Status { get; init; } = ScanStatus.Pass;

    /// <summary><c>findings</c>.</summary>
    public IReadOnlyList<SastFinding> Findings { get; init; } = [];

    /// <summary><c>scanId</c>: the scanner's id of this scan, recorded in envelopes as <c>sast_scan_id</c>.</summary>
    public string? ScanId { get; init; }

    /// <summary><c>raw</c>: the scanner's raw output, for diagnostics; never put in envelopes.</summary>
    public JsonNode? Raw { get; init; }

    /// <summary>Why the scan is <see cref="ScanStatus.Error"/> (the scanner's stderr, say); null otherwise.</summary>
    public string? Error { get; init; }
}

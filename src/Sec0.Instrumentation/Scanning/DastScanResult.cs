using System.Text.Json.Nodes;
using Sec0.Policy;

namespace Sec0.Scanning;

/// <summary>What a DAST scanner returns; as <see cref="SastScanResult"/>, the policy's thresholds decide the verdict.</summary>
public sealed record DastScanResult
{
    /// <summary><c>status</c>: the scanner's own opinion.</summary>
    public ScanStatus Status { get; init; } = ScanStatus.Pass;

    /// <summary><c>findings</c>.</summary>
    public IReadOnlyList<DastFinding> Findings { get; init; } = [];

    /// <summary><c>scanId</c>, recorded in envelopes as <c>dast_scan_id</c>.</summary>
    public string? ScanId { get; init; }

    /// <summary><c>raw</c>: the scanner's raw output, for diagnostics; never put in envelopes.</summary>
    public JsonNode? Raw { get; init; }

    /// <summary>Why the scan is <see cref="ScanStatus.Error"/>; null otherwise.</summary>
    public string? Error { get; init; }
}

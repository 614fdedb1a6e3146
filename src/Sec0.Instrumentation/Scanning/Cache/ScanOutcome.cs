using Sec0.Policy;

namespace Sec0.Scanning;

/// <summary>A finished scan before the cache gives it a lifetime: the evaluated status, the findings and the scan id.</summary>
internal readonly record struct ScanOutcome(ScanStatus Status, IReadOnlyList<ScanFinding> Findings, string? ScanId, string? Error);

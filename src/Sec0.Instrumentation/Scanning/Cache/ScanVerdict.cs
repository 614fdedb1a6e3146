using System.Text.Json.Nodes;
using Sec0.Policy;

namespace Sec0.Scanning;

/// <summary>
/// The verdict known for one cache key (a SAST body hash, a DAST target) at the moment it is read:
/// what the decision engine weighs and what the audit envelope records. Immutable and shared by every
/// call that reads it, so reading it allocates nothing.
/// </summary>
public sealed class ScanVerdict
{
    internal ScanVerdict(string key, ScanStatus status, IReadOnlyList<ScanFinding> findings, string? scanId, string? error, DateTimeOffset completedAt, DateTimeOffset expiresAt)
    {
        Key = key;
        Status = status;
        StatusName = ScanNames.Status(status);
        Findings = findings;
        ScanId = scanId;
        Error = error;
        CompletedAt = completedAt;
        ExpiresAt = expiresAt;
        if (status is ScanStatus.Pass or ScanStatus.Fail)
        {
            var array = new JsonArray();
            foreach (var f in findings)
            {
                array.Add((JsonNode)f.ToJson());
            }

            FindingsJson = array;
        }
    }

    /// <summary>The cache key: the body hash for SAST, the target for DAST.</summary>
    public string Key { get; }

    /// <summary>The status the decision engine sees.</summary>
    public ScanStatus Status { get; }

    /// <summary><see cref="Status"/> as envelopes spell it.</summary>
    public string StatusName { get; }

    /// <summary>Every finding of the scan (also those below the threshold).</summary>
    public IReadOnlyList<ScanFinding> Findings { get; }

    /// <summary>The findings as the JSON array envelopes carry; null while pending and on error. Never mutate it: it is shared.</summary>
    public JsonNode? FindingsJson { get; }

    /// <summary>The scanner's scan id.</summary>
    public string? ScanId { get; }

    /// <summary>Why the verdict is <see cref="ScanStatus.Error"/>: the exception, timeout or stderr.</summary>
    public string? Error { get; }

    /// <summary>When the scan finished (when the pending verdict was created, while pending).</summary>
    public DateTimeOffset CompletedAt { get; }

    /// <summary>After this instant the verdict is stale and the key is scanned again.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>The highest finding severity, or null without findings.</summary>
    public ScanSeverity? HighestSeverity => ScanVerdictRules.Highest(Findings);

    internal static ScanVerdict Pending(string key, DateTimeOffset now) => new(key, ScanStatus.Pending, [], null, null, now, DateTimeOffset.MinValue);
}

using Sec0.Policy;

namespace Sec0.ControlPlane;

/// <summary>A control-plane policy in use: the validated document and where it came from.</summary>
/// <param name="Policy">The validated policy.</param>
/// <param name="Hash"><c>policy_hash</c>: lowercase hex SHA-256 of the trimmed YAML text, as Sec0's TypeScript SDK computes it.</param>
/// <param name="ETag">The control plane's entity tag for it, sent back as <c>If-None-Match</c>; null when it sent none.</param>
/// <param name="FetchedAt">When the control plane last confirmed it (fetched or answered 304).</param>
/// <param name="FromLastGood">True when it was read from the last-good copy on disk because the control plane could not be used.</param>
public sealed record ControlPlanePolicySnapshot(PolicyDocument Policy, string Hash, string? ETag, DateTimeOffset FetchedAt, bool FromLastGood);

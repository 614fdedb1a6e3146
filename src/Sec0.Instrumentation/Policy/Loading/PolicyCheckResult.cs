namespace Sec0.Policy;

/// <summary>The result of <see cref="PolicyCheck.Run"/>.</summary>
/// <param name="Ok">True when the policy loaded without problems.</param>
/// <param name="Problems">Every problem found (empty when <paramref name="Ok"/>).</param>
/// <param name="Summary">
/// When <paramref name="Ok"/>, a short description of what the policy enforces, one fact per line; otherwise
/// one line saying how many problems the file has.
/// </param>
public sealed record PolicyCheckResult(bool Ok, IReadOnlyList<PolicyProblem> Problems, string Summary);

namespace Sec0.Audit;

/// <summary>One problem found by <see cref="AuditLogVerifier"/>.</summary>
/// <param name="File">The file name.</param>
/// <param name="Line">The 1-based line number in that file.</param>
/// <param name="Kind">What is wrong.</param>
/// <param name="Message">What is wrong, in words.</param>
public sealed record AuditProblem(string File, long Line, AuditProblemKind Kind, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{File}:{Line}: {Message}";
}

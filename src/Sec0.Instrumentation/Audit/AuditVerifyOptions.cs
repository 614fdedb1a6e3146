namespace Sec0.Audit;

/// <summary>Options of <see cref="AuditLogVerifier.Verify(string, AuditVerifyOptions, IProgress{double}?, CancellationToken)"/>.</summary>
public sealed class AuditVerifyOptions
{
    /// <summary>
    /// A head kept outside the log (<c>sec0 head</c>, <see cref="AuditHead.FromLog"/>): the log must contain
    /// that line. A log that ends before it was cut; one whose line at that seq differs was rewritten or
    /// replaced by another log. Only this catches a cut tail that no restart of the writer has seen.
    /// </summary>
    public AuditHead? ExpectedHead { get; set; }
}

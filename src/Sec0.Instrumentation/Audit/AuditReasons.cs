namespace Sec0.Audit;

/// <summary>Reasons of the <c>deny_on</c> vocabulary that the audit layer itself raises.</summary>
internal static class AuditReasons
{
    /// <summary>The audit record of a call could not be written and signed.</summary>
    public const string MissingAuditSignature = "missing_audit_signature";
}

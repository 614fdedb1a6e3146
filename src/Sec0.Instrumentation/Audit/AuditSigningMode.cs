namespace Sec0.Audit;

/// <summary>Which lines carry a signature.</summary>
public enum AuditSigningMode
{
    /// <summary>Every line is signed (the default).</summary>
    PerEnvelope = 0,

    /// <summary>
    /// Every line is chained; a signed <c>checkpoint</c> line seals the chain every N lines or T ms, at
    /// rotation and at close. For high-volume services.
    /// </summary>
    Checkpoint = 1,
}

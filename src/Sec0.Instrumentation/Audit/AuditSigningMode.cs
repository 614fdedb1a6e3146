namespace Sec0.Audit;

/// <summary>
/// How audit envelopes are signed. Set with <c>audit.signing</c> in <c>sec0.config.yaml</c>
/// (<c>per_envelope</c> or <c>checkpoint</c>).
/// </summary>
public enum AuditSigningMode
{
    /// <summary><c>per_envelope</c> (default): every envelope carries its own signature.</summary>
    PerEnvelope = 0,
    /// <summary>
    /// <c>checkpoint</c>: envelopes are hash-chained and a signed checkpoint covers the chain every
    /// <c>audit.checkpointEvery</c> envelopes or <c>audit.checkpointIntervalMs</c> milliseconds.
    /// </summary>
    Checkpoint,
}

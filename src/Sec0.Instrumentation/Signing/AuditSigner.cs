namespace Sec0.Signing;

/// <summary>
/// Signs audit records. One instance holds one private key; <see cref="Sign"/> is safe to call from
/// one thread at a time (the audit appender's writer), and implementations avoid per-call allocation.
/// </summary>
public abstract class AuditSigner : IDisposable
{
    /// <summary>The algorithm name used as the prefix of <c>sig</c> and <c>key_id</c>:
    /// <c>ed25519</c> or <c>ecdsa-p256</c>.</summary>
    public abstract string Algorithm { get; }

    /// <summary><c>&lt;algorithm&gt;:&lt;sha256 hex of the public key&gt;</c>. For Ed25519 the hash is over the
    /// 32-byte raw public key; for ECDSA P-256 over the DER SubjectPublicKeyInfo.</summary>
    public abstract string KeyId { get; }

    /// <summary>The public key in the form <see cref="KeyId"/> hashes (raw 32 bytes for Ed25519,
    /// DER SubjectPublicKeyInfo for ECDSA P-256).</summary>
    public abstract ReadOnlyMemory<byte> PublicKey { get; }

    /// <summary>The public key as SPKI PEM, for <c>sec0 verify --pub</c>.</summary>
    public abstract string PublicKeyPem { get; }

    /// <summary>The size of a signature in bytes (64 for both algorithms; ECDSA uses IEEE P1363 r||s).</summary>
    public abstract int SignatureSize { get; }

    /// <summary>Signs <paramref name="data"/> into <paramref name="destination"/> and returns the bytes written.</summary>
    public abstract int Sign(ReadOnlySpan<byte> data, Span<byte> destination);

    /// <summary>Creates a verifier for this signer's public key.</summary>
    public abstract SignatureVerifier CreateVerifier();

    /// <summary>Releases the private key.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the private key.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}

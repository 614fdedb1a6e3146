namespace Sec0.Signing;

/// <summary>
/// Verifies signatures made by an <see cref="AuditSigner"/> from the public key alone.
/// </summary>
public abstract class SignatureVerifier : IDisposable
{
    /// <summary><c>ed25519</c> or <c>ecdsa-p256</c>.</summary>
    public abstract string Algorithm { get; }

    /// <summary>The key id, computed the same way as <see cref="AuditSigner.KeyId"/>.</summary>
    public abstract string KeyId { get; }

    /// <summary>True when <paramref name="signature"/> is a valid signature of <paramref name="data"/>.</summary>
    public abstract bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature);

    /// <summary>Releases native resources.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases native resources.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}

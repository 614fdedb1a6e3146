using System.Security.Cryptography;

namespace Sec0.Signing;

/// <summary>
/// ECDSA P-256 / SHA-256 signer producing IEEE P1363 signatures (r||s, 64 bytes) through
/// <see cref="ECDsa"/>. Thread-safe: calls are serialised on an internal lock.
/// </summary>
public sealed class EcdsaP256Signer : AuditSigner
{
    private const int P1363SignatureSize = 64;

    private readonly ECDsa key;
    private readonly byte[] subjectPublicKeyInfo;
    private readonly Lock gate = new();
    private volatile bool disposed;

    /// <summary>Creates a signer that takes ownership of <paramref name="privateKey"/> (disposed with the signer).</summary>
    /// <exception cref="Sec0SignerException">The key is not on P-256 or has no private part.</exception>
    public EcdsaP256Signer(ECDsa privateKey)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        if (!KeyEncodings.IsP256(privateKey))
        {
            throw new Sec0SignerException("[sec0-signer] An ecdsa-p256 signing key must be on the P-256 (prime256v1) curve.");
        }

        try
        {
            ECParameters parameters = privateKey.ExportParameters(includePrivateParameters: true);
            CryptographicOperations.ZeroMemory(parameters.D);
        }
        catch (CryptographicException exception)
        {
            throw new Sec0SignerException("[sec0-signer] An ecdsa-p256 signing key needs its private part.", exception);
        }

        key = privateKey;
        subjectPublicKeyInfo = privateKey.ExportSubjectPublicKeyInfo();
        KeyId = KeyEncodings.KeyId(KeyEncodings.EcdsaP256Algorithm, subjectPublicKeyInfo);
        PublicKeyPem = privateKey.ExportSubjectPublicKeyInfoPem();
    }

    /// <inheritdoc />
    public override string Algorithm => KeyEncodings.EcdsaP256Algorithm;

    /// <inheritdoc />
    public override string KeyId { get; }

    /// <inheritdoc />
    public override ReadOnlyMemory<byte> PublicKey => subjectPublicKeyInfo;

    /// <inheritdoc />
    public override string PublicKeyPem { get; }

    /// <inheritdoc />
    public override int SignatureSize => P1363SignatureSize;

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 64 bytes.</exception>
    /// <exception cref="ObjectDisposedException">The signer was disposed.</exception>
    public override int Sign(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        lock (gate)
        {
            if (!key.TrySignData(data, destination, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation, out int written))
            {
                throw new ArgumentException($"The destination must hold {P1363SignatureSize} bytes.", nameof(destination));
            }

            return written;
        }
    }

    /// <inheritdoc />
    public override SignatureVerifier CreateVerifier()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return new EcdsaP256Verifier(subjectPublicKeyInfo);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && !disposed)
        {
            disposed = true;
            key.Dispose();
        }

        base.Dispose(disposing);
    }
}

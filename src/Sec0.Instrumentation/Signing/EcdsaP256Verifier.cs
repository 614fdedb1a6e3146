using System.Security.Cryptography;

namespace Sec0.Signing;

/// <summary>
/// Verifies ECDSA P-256 / SHA-256 signatures in IEEE P1363 form (r||s, 64 bytes). Thread-safe: calls
/// are serialised on an internal lock.
/// </summary>
public sealed class EcdsaP256Verifier : SignatureVerifier
{
    private const int P1363SignatureSize = 64;

    private readonly ECDsa key;
    private readonly Lock gate = new();
    private volatile bool disposed;

    /// <summary>Creates a verifier from a DER SubjectPublicKeyInfo of a P-256 key.</summary>
    /// <exception cref="Sec0SignerException">The bytes are not a P-256 SubjectPublicKeyInfo.</exception>
    public EcdsaP256Verifier(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        ECDsa imported = ECDsa.Create();
        try
        {
            imported.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out int read);
            if (read != subjectPublicKeyInfo.Length || !KeyEncodings.IsP256(imported))
            {
                throw new Sec0SignerException("[sec0-signer] An ecdsa-p256 public key must be a P-256 (prime256v1) SubjectPublicKeyInfo.");
            }
        }
        catch (CryptographicException exception)
        {
            imported.Dispose();
            throw new Sec0SignerException("[sec0-signer] An ecdsa-p256 public key must be a P-256 (prime256v1) SubjectPublicKeyInfo.", exception);
        }
        catch
        {
            imported.Dispose();
            throw;
        }

        key = imported;
        KeyId = KeyEncodings.KeyId(KeyEncodings.EcdsaP256Algorithm, subjectPublicKeyInfo);
    }

    /// <inheritdoc />
    public override string Algorithm => KeyEncodings.EcdsaP256Algorithm;

    /// <inheritdoc />
    public override string KeyId { get; }

    /// <inheritdoc />
    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (signature.Length != P1363SignatureSize)
        {
            return false;
        }

        lock (gate)
        {
            return key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
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

using NSec.Cryptography;

namespace Sec0.Signing;

/// <summary>
/// Verifies Ed25519 signatures with a raw 32-byte public key over libsodium (NSec.Cryptography). Thread-safe, and calls on
/// several threads run in parallel (<c>sec0 verify</c> spreads a large log over every core).
/// </summary>
public sealed class Ed25519Verifier : SignatureVerifier
{
    private static readonly SignatureAlgorithm s_algorithm = SignatureAlgorithm.Ed25519;
    private readonly NSec.Cryptography.PublicKey key;
    private readonly byte[] publicKey;
    private volatile bool disposed;

    /// <summary>Creates a verifier for a raw 32-byte Ed25519 public key.</summary>
    /// <exception cref="Sec0SignerException">The key is not 32 bytes or is not an Ed25519 public key.</exception>
    public Ed25519Verifier(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != Ed25519Keys.KeySize)
        {
            throw new Sec0SignerException($"[sec0-signer] An Ed25519 public key is {Ed25519Keys.KeySize} bytes; got {publicKey.Length}.");
        }

        if (!NSec.Cryptography.PublicKey.TryImport(s_algorithm, publicKey, KeyBlobFormat.RawPublicKey, out var imported) || imported is null)
        {
            throw new Sec0SignerException("[sec0-signer] The Ed25519 public key is not valid: it is not a point of the curve.");
        }

        key = imported;
        this.publicKey = publicKey.ToArray();
        KeyId = KeyEncodings.KeyId(KeyEncodings.Ed25519Algorithm, publicKey);
    }

    /// <inheritdoc />
    public override string Algorithm => KeyEncodings.Ed25519Algorithm;

    /// <inheritdoc />
    public override string KeyId { get; }

    /// <summary>The raw 32-byte public key.</summary>
    public ReadOnlyMemory<byte> PublicKey => publicKey;

    /// <inheritdoc />
    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return signature.Length == Ed25519Keys.SignatureSize && s_algorithm.Verify(key, data, signature);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        disposed = true;
        base.Dispose(disposing);
    }
}

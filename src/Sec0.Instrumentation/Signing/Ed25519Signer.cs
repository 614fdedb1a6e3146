using NSec.Cryptography;

namespace Sec0.Signing;

/// <summary>
/// Ed25519 (RFC 8032) signer over libsodium (NSec.Cryptography, whose package ships the native library for Windows, macOS
/// and Linux, so signing needs nothing installed). The key is imported once and kept for the object's lifetime; each
/// <see cref="Sign"/> allocates nothing. Thread-safe: libsodium's signing keeps no state between calls.
/// </summary>
public sealed class Ed25519Signer : AuditSigner
{
    private static readonly SignatureAlgorithm s_algorithm = SignatureAlgorithm.Ed25519;
    private readonly Key privateKey;
    private readonly byte[] publicKey;
    private volatile bool disposed;

    /// <summary>Creates a signer from a 32-byte Ed25519 seed (the RFC 8032 private key). The caller keeps
    /// ownership of <paramref name="seed"/> and should zero it afterwards.</summary>
    /// <exception cref="Sec0SignerException">The seed is not 32 bytes.</exception>
    public Ed25519Signer(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != Ed25519Keys.KeySize)
        {
            throw new Sec0SignerException($"[sec0-signer] An Ed25519 seed is {Ed25519Keys.KeySize} bytes; got {seed.Length}.");
        }

        // Not exportable: the key file is the only copy of the seed Sec0 writes.
        privateKey = Key.Import(s_algorithm, seed, KeyBlobFormat.RawPrivateKey, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.None });
        publicKey = privateKey.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        KeyId = KeyEncodings.KeyId(KeyEncodings.Ed25519Algorithm, publicKey);
        PublicKeyPem = KeyEncodings.Ed25519PublicKeyPem(publicKey);
    }

    /// <inheritdoc />
    public override string Algorithm => KeyEncodings.Ed25519Algorithm;

    /// <inheritdoc />
    public override string KeyId { get; }

    /// <inheritdoc />
    public override ReadOnlyMemory<byte> PublicKey => publicKey;

    /// <inheritdoc />
    public override string PublicKeyPem { get; }

    /// <inheritdoc />
    public override int SignatureSize => Ed25519Keys.SignatureSize;

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 64 bytes.</exception>
    /// <exception cref="ObjectDisposedException">The signer was disposed.</exception>
    public override int Sign(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (destination.Length < Ed25519Keys.SignatureSize)
        {
            throw new ArgumentException($"The destination must hold {Ed25519Keys.SignatureSize} bytes.", nameof(destination));
        }

        s_algorithm.Sign(privateKey, data, destination[..Ed25519Keys.SignatureSize]);
        return Ed25519Keys.SignatureSize;
    }

    /// <inheritdoc />
    public override SignatureVerifier CreateVerifier()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return new Ed25519Verifier(publicKey);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && !disposed)
        {
            disposed = true;

            // NSec's key is a SafeHandle over libsodium's guarded memory: a Sign already running keeps it alive.
            privateKey.Dispose();
        }

        base.Dispose(disposing);
    }
}

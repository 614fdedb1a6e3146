namespace Sec0.Signing;

/// <summary>
/// Ed25519 (RFC 8032) signer backed by OpenSSL 3 libcrypto. The key is parsed once and kept for the
/// object's lifetime; each <see cref="Sign"/> reuses one native digest context and allocates nothing.
/// Thread-safe: concurrent calls are serialised on an internal lock (the audit appender calls from one
/// thread, so the lock is uncontended there).
/// </summary>
public sealed class Ed25519Signer : AuditSigner
{
    private readonly EvpPKeyHandle privateKey;
    private readonly EvpMdCtxHandle context;
    private readonly byte[] publicKey;
    private readonly Lock gate = new();
    private volatile bool disposed;

    /// <summary>Creates a signer from a 32-byte Ed25519 seed (the RFC 8032 private key). The caller keeps
    /// ownership of <paramref name="seed"/> and should zero it afterwards.</summary>
    /// <exception cref="Sec0SignerException">The seed is not 32 bytes, or libcrypto cannot be loaded.</exception>
    public Ed25519Signer(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != OpenSslEd25519.KeySize)
        {
            throw new Sec0SignerException($"[sec0-signer] An Ed25519 seed is {OpenSslEd25519.KeySize} bytes; got {seed.Length}.");
        }

        privateKey = OpenSslEd25519.CreatePrivateKey(seed);
        try
        {
            publicKey = new byte[OpenSslEd25519.KeySize];
            OpenSslEd25519.GetRawPublicKey(privateKey, publicKey);
            context = OpenSslEd25519.CreateContext();
        }
        catch
        {
            privateKey.Dispose();
            throw;
        }

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
    public override int SignatureSize => OpenSslEd25519.SignatureSize;

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 64 bytes.</exception>
    /// <exception cref="ObjectDisposedException">The signer was disposed.</exception>
    public override int Sign(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (destination.Length < OpenSslEd25519.SignatureSize)
        {
            throw new ArgumentException($"The destination must hold {OpenSslEd25519.SignatureSize} bytes.", nameof(destination));
        }

        lock (gate)
        {
            return OpenSslEd25519.Sign(context, privateKey, data, destination);
        }
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
            // SafeHandle reference counting keeps the key alive until a Sign already in native code returns.
            context.Dispose();
            privateKey.Dispose();
        }

        base.Dispose(disposing);
    }
}

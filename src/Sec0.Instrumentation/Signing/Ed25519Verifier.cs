using System.Collections.Concurrent;

namespace Sec0.Signing;

/// <summary>
/// Verifies Ed25519 signatures with a raw 32-byte public key through OpenSSL 3 libcrypto. Thread-safe,
/// and calls on several threads run in parallel: each takes a native context from a small pool (a
/// verification costs tens of microseconds; <c>sec0 verify</c> spreads a large log over every core).
/// </summary>
public sealed class Ed25519Verifier : SignatureVerifier
{
    private readonly EvpPKeyHandle key;
    private readonly ConcurrentBag<EvpMdCtxHandle> contexts = new();
    private readonly byte[] publicKey;
    private volatile bool disposed;

    /// <summary>Creates a verifier for a raw 32-byte Ed25519 public key.</summary>
    /// <exception cref="Sec0SignerException">The key is not 32 bytes or OpenSSL rejects it, or libcrypto cannot be loaded.</exception>
    public Ed25519Verifier(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != OpenSslEd25519.KeySize)
        {
            throw new Sec0SignerException($"[sec0-signer] An Ed25519 public key is {OpenSslEd25519.KeySize} bytes; got {publicKey.Length}.");
        }

        key = OpenSslEd25519.CreatePublicKey(publicKey);
        try
        {
            contexts.Add(OpenSslEd25519.CreateContext());
        }
        catch
        {
            key.Dispose();
            throw;
        }

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
        if (signature.Length != OpenSslEd25519.SignatureSize)
        {
            return false;
        }

        // A context per concurrent call; the key is read-only, which OpenSSL 3 shares between threads.
        if (!contexts.TryTake(out var context))
        {
            context = OpenSslEd25519.CreateContext();
        }

        try
        {
            return OpenSslEd25519.Verify(context, key, data, signature);
        }
        finally
        {
            contexts.Add(context);
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && !disposed)
        {
            disposed = true;
            while (contexts.TryTake(out var context))
            {
                context.Dispose();
            }

            key.Dispose();
        }

        base.Dispose(disposing);
    }
}

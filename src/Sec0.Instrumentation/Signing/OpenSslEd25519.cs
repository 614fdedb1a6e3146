using System.Runtime.InteropServices;
using System.Text;

namespace Sec0.Signing;

/// <summary>
/// Ed25519 through the platform's OpenSSL 3 libcrypto (.NET has no Ed25519 API). The only place with
/// libcrypto P/Invokes besides <see cref="Sec0.Audit.Sha256Digest"/>'s function pointers; every return code
/// is checked and OpenSSL's error queue is drained on failure so a stale error never leaks into the next
/// OpenSSL user on the thread (including .NET's own crypto).
/// </summary>
internal static unsafe partial class OpenSslEd25519
{
    /// <summary>Length of an Ed25519 seed (private key) and of a raw public key.</summary>
    public const int KeySize = 32;

    /// <summary>Length of an Ed25519 signature.</summary>
    public const int SignatureSize = 64;

    /// <summary>The message users see when libcrypto cannot be loaded.</summary>
    public const string LibCryptoMissingMessage =
        "[sec0-signer] Ed25519 needs the OpenSSL 3 library libcrypto (libcrypto.so.3), which could not be loaded. " +
        "Install OpenSSL 3 (Debian/Ubuntu: apt-get install libssl3) or use an ecdsa-p256 key.";

    private const int EVP_PKEY_ED25519 = 1087;

    static OpenSslEd25519() => NativeLibraryResolver.EnsureRegistered();

    /// <summary>Throws <see cref="Sec0SignerException"/> when libcrypto cannot be loaded.</summary>
    public static void EnsureAvailable()
    {
        if (!NativeLibraryResolver.IsLibCryptoAvailable)
        {
            throw new Sec0SignerException(LibCryptoMissingMessage);
        }
    }

    /// <summary>Creates a private key from a 32-byte seed (OpenSSL copies the bytes).</summary>
    public static EvpPKeyHandle CreatePrivateKey(ReadOnlySpan<byte> seed)
    {
        EnsureAvailable();
        fixed (byte* seedPointer = seed)
        {
            EvpPKeyHandle key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, 0, seedPointer, (nuint)seed.Length);
            return CheckHandle(key, "EVP_PKEY_new_raw_private_key");
        }
    }

    /// <summary>Creates a public key from its 32 raw bytes.</summary>
    public static EvpPKeyHandle CreatePublicKey(ReadOnlySpan<byte> publicKey)
    {
        EnsureAvailable();
        fixed (byte* publicKeyPointer = publicKey)
        {
            EvpPKeyHandle key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, 0, publicKeyPointer, (nuint)publicKey.Length);
            return CheckHandle(key, "EVP_PKEY_new_raw_public_key");
        }
    }

    /// <summary>Writes the 32-byte raw public key of <paramref name="key"/> into <paramref name="destination"/>.</summary>
    public static void GetRawPublicKey(EvpPKeyHandle key, Span<byte> destination)
    {
        nuint length = (nuint)destination.Length;
        fixed (byte* destinationPointer = destination)
        {
            Check(EVP_PKEY_get_raw_public_key(key, destinationPointer, &length), "EVP_PKEY_get_raw_public_key");
        }

        if (length != KeySize)
        {
            throw new Sec0SignerException($"[sec0-signer] OpenSSL returned a {length}-byte Ed25519 public key; expected {KeySize}.");
        }
    }

    /// <summary>Creates a digest context to reuse across calls.</summary>
    public static EvpMdCtxHandle CreateContext()
    {
        EnsureAvailable();
        return CheckHandle(EVP_MD_CTX_new(), "EVP_MD_CTX_new");
    }

    /// <summary>
    /// Signs with a reused context: one-shot Ed25519 cannot sign twice after one init, so each call
    /// resets and re-initialises it (no managed allocation). Not thread-safe per context.
    /// </summary>
    public static int Sign(EvpMdCtxHandle context, EvpPKeyHandle key, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        nuint signatureLength = SignatureSize;
        byte empty = 0;
        fixed (byte* dataPointer = data)
        fixed (byte* destinationPointer = destination)
        {
            Check(EVP_MD_CTX_reset(context), "EVP_MD_CTX_reset");
            Check(EVP_DigestSignInit(context, 0, 0, 0, key), "EVP_DigestSignInit");
            // A null message pointer with length 0 is not something to rely on; point at a local byte instead.
            byte* message = data.IsEmpty ? &empty : dataPointer;
            Check(EVP_DigestSign(context, destinationPointer, &signatureLength, message, (nuint)data.Length), "EVP_DigestSign");
        }

        return (int)signatureLength;
    }

    /// <summary>Verifies with a reused context. Not thread-safe per context.</summary>
    public static bool Verify(EvpMdCtxHandle context, EvpPKeyHandle key, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        byte empty = 0;
        fixed (byte* dataPointer = data)
        fixed (byte* signaturePointer = signature)
        {
            Check(EVP_MD_CTX_reset(context), "EVP_MD_CTX_reset");
            Check(EVP_DigestVerifyInit(context, 0, 0, 0, key), "EVP_DigestVerifyInit");
            byte* message = data.IsEmpty ? &empty : dataPointer;
            int result = EVP_DigestVerify(context, signaturePointer, (nuint)signature.Length, message, (nuint)data.Length);
            if (result != 1)
            {
                // 0 is a bad signature, negative a malformed one: both are "not valid"; drop the queued reason.
                ERR_clear_error();
                return false;
            }

            return true;
        }
    }

    private static T CheckHandle<T>(T handle, string function)
        where T : SafeHandle
    {
        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw Failure(function);
        }

        return handle;
    }

    private static void Check(int result, string function)
    {
        if (result != 1)
        {
            throw Failure(function);
        }
    }

    private static Sec0SignerException Failure(string function)
    {
        CULong error = ERR_get_error();
        string reason = "no OpenSSL error reported";
        if (error.Value != 0)
        {
            byte* buffer = stackalloc byte[256];
            ERR_error_string_n(error, buffer, 256);
            reason = Marshal.PtrToStringUTF8((nint)buffer) ?? reason;
        }

        ERR_clear_error();
        return new Sec0SignerException($"[sec0-signer] OpenSSL {function} failed: {reason}");
    }

    [LibraryImport(NativeLibraryResolver.LibCrypto)]
    private static partial EvpPKeyHandle EVP_PKEY_new_raw_private_key(int type, nint engine, byte* key, nuint keyLength);

    [LibraryImport(NativeLibraryResolver.LibCrypto)]
    private static partial EvpPKeyHandle EVP_PKEY_new_raw_public_key(int type, nint engine, byte* key, nuint keyLength);

    [LibraryImport(NativeLibraryResolver.LibCrypto)]
    private static partial int EVP_PKEY_get_raw_public_key(EvpPKeyHandle key, byte* publicKey, nuint* length);

    /// <summary>Frees an <c>EVP_PKEY*</c>; called by <see cref="EvpPKeyHandle"/>.</summary>
    [LibraryImport(NativeLibraryResolver.LibCrypto)]
    internal static partial void EVP_PKEY_free(nint key);

    [LibraryImport(NativeLibraryResolver.LibCrypto)]
    private static partial EvpMdCtxHandle EVP_MD_CTX_new();

    /// <summary>Frees an <c>EVP_MD_CTX*</c>; called by <see cref="EvpMdCtxHandle"/>.</summary>
    [LibraryImport(NativeLibraryResolver.LibCrypto)]
    internal static partial void EVP_MD_CTX_free(nint context);

    [LibraryImport(NativeLibraryResolver.LibCrypto)]
    private static partial int EVP_MD_CTX_reset(EvpMdCtxHandle context);

    [LibraryImport(NativeLibraryResolver.LibCrypto)]
    private static partial int EVP_DigestSignInit(EvpMdCtxHandle context, nint keyContext, nint digest, nint engine, EvpPKeyHandle key);

    [LibraryImport(NativeLibraryResolver.LibCrypto)]
    private static partial int EVP_DigestSign(EvpMdCtxHandle context, byte* signature, nuint* signatureLength, byte* data, nuint dataLength);

    [LibraryImport(NativeLibraryResolver.LibCrypto)]
    private static partial int EVP_DigestVerifyInit(EvpMdCtxHandle context, nint keyContext, nint digest, nint engine, EvpPKeyHandle key);

    [LibraryImport(NativeLibraryResolver.LibCrypto)]
    private static partial int EVP_DigestVerify(EvpMdCtxHandle context, byte* signature, nuint signatureLength, byte* data, nuint dataLength);

    [LibraryImport(NativeLibraryResolver.LibCrypto)]
    private static partial CULong ERR_get_error();

    [LibraryImport(NativeLibraryResolver.LibCrypto)]
    private static partial void ERR_error_string_n(CULong error, byte* buffer, nuint length);

    [LibraryImport(NativeLibraryResolver.LibCrypto)]
    private static partial void ERR_clear_error();
}

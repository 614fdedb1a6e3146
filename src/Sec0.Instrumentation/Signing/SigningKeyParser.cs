using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Sec0.Signing;

/// <summary>
/// Turns the contents of a signing key file into a signer, detecting the format: base64 (standard or
/// base64url, padded or not, whitespace anywhere: <see cref="KeyTextBase64"/>) of a 32-byte Ed25519 seed or
/// a 64-byte seed||public key, PKCS#8 PEM (Ed25519 or ECDSA P-256) or SEC1 PEM (ECDSA P-256). Every
/// intermediate buffer holding key material is zeroed.
/// </summary>
internal static class SigningKeyParser
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Parses key file contents.</summary>
    /// <exception cref="Sec0SignerException">The contents are no supported key.</exception>
    public static AuditSigner Parse(ReadOnlySpan<byte> content)
    {
        char[] chars = new char[content.Length];
        try
        {
            int length;
            try
            {
                length = StrictUtf8.GetChars(content, chars);
            }
            catch (DecoderFallbackException)
            {
                throw SignerMessages.KeyFormat($"found {content.Length} bytes of binary data, neither base64 nor PEM");
            }

            ReadOnlySpan<char> untrimmed = chars.AsSpan(0, length);
            ReadOnlySpan<char> text = untrimmed.Trim();
            if (text.IsEmpty)
            {
                throw SignerMessages.KeyFormat("found an empty file");
            }

            return text.StartsWith("-----BEGIN", StringComparison.Ordinal) ? ParsePem(text) : ParseBase64(text, untrimmed.Length - untrimmed.TrimStart().Length);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(chars.AsSpan()));
        }
    }

    private static AuditSigner ParseBase64(ReadOnlySpan<char> text, int offset)
    {
        byte[] decoded = new byte[text.Length];
        try
        {
            int written = KeyTextBase64.Decode(text, offset, decoded);

            if (written == Ed25519Keys.KeySize)
            {
                return new Ed25519Signer(decoded.AsSpan(0, written));
            }

            if (written == 2 * Ed25519Keys.KeySize)
            {
                // libsodium / TweetNaCl layout: seed || public key. A mismatched half means a corrupt or spliced key.
                Ed25519Signer signer = new(decoded.AsSpan(0, Ed25519Keys.KeySize));
                if (!CryptographicOperations.FixedTimeEquals(signer.PublicKey.Span, decoded.AsSpan(Ed25519Keys.KeySize, Ed25519Keys.KeySize)))
                {
                    signer.Dispose();
                    throw SignerMessages.KeyFormat("found a 64-byte secret key whose public half does not match its seed");
                }

                return signer;
            }

            throw SignerMessages.KeyFormat($"found base64 of {written} bytes");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(decoded);
        }
    }

    private static AuditSigner ParsePem(ReadOnlySpan<char> text)
    {
        ReadOnlySpan<char> remaining = text;
        while (PemEncoding.TryFind(remaining, out PemFields fields))
        {
            ReadOnlySpan<char> label = remaining[fields.Label];
            if (label.SequenceEqual("EC PARAMETERS"))
            {
                // openssl ecparam -genkey writes the curve parameters before the key itself.
                remaining = remaining[fields.Location.End.Value..];
                continue;
            }

            byte[] der = new byte[fields.DecodedDataLength];
            try
            {
                if (!Convert.TryFromBase64Chars(remaining[fields.Base64Data], der, out _))
                {
                    throw SignerMessages.KeyFormat($"found a PEM \"{label}\" block that is not valid base64");
                }

                return label switch
                {
                    "PRIVATE KEY" => FromPkcs8(der),
                    "EC PRIVATE KEY" => FromSec1(der),
                    "ENCRYPTED PRIVATE KEY" => throw SignerMessages.KeyFormat(
                        "found an encrypted PKCS#8 key (ENCRYPTED PRIVATE KEY); decrypt it first with openssl pkey"),
                    "PUBLIC KEY" => throw SignerMessages.KeyFormat("found a public key (PUBLIC KEY), not a private key"),
                    _ => throw SignerMessages.KeyFormat($"found a PEM \"{label}\" block"),
                };
            }
            finally
            {
                CryptographicOperations.ZeroMemory(der);
            }
        }

        throw SignerMessages.KeyFormat("found text starting with -----BEGIN that is not a complete PEM block");
    }

    private static AuditSigner FromPkcs8(byte[] der)
    {
        if (!KeyEncodings.TryReadPkcs8(der, out string algorithmOid, out string? curveOid, out ReadOnlyMemory<byte> privateKey))
        {
            throw SignerMessages.KeyFormat("found a PRIVATE KEY block that is not valid PKCS#8");
        }

        if (algorithmOid == KeyEncodings.Ed25519Oid)
        {
            if (!KeyEncodings.TryReadEd25519Seed(privateKey, out ReadOnlyMemory<byte> seed))
            {
                throw SignerMessages.KeyFormat("found a PKCS#8 Ed25519 key whose private key is not a 32-byte OCTET STRING");
            }

            return new Ed25519Signer(seed.Span);
        }

        if (algorithmOid == KeyEncodings.EcPublicKeyOid && curveOid == KeyEncodings.P256Oid)
        {
            return ImportEcdsa(key => key.ImportPkcs8PrivateKey(der, out _), "a PKCS#8 ECDSA P-256 key");
        }

        throw SignerMessages.KeyFormat($"found a PKCS#8 key of {SignerMessages.DescribeAlgorithm(algorithmOid, curveOid)}");
    }

    private static AuditSigner FromSec1(byte[] der) => ImportEcdsa(key => key.ImportECPrivateKey(der, out _), "an EC PRIVATE KEY");

    private static AuditSigner ImportEcdsa(Action<ECDsa> import, string what)
    {
        ECDsa key = ECDsa.Create();
        try
        {
            import(key);
        }
        catch (CryptographicException)
        {
            key.Dispose();
            throw SignerMessages.KeyFormat($"found {what} that could not be read");
        }

        if (!KeyEncodings.IsP256(key))
        {
            key.Dispose();
            throw SignerMessages.KeyFormat($"found {what} on a curve other than P-256");
        }

        return new EcdsaP256Signer(key);
    }
}

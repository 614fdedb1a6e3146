using System.Formats.Asn1;
using System.Security.Cryptography;

namespace Sec0.Signing;

/// <summary>
/// DER/PEM shapes of public and private keys (SubjectPublicKeyInfo, PKCS#8) and key ids, shared by the
/// signers, the key-file loader and <see cref="PublicKeyReader"/>.
/// </summary>
internal static class KeyEncodings
{
    /// <summary>id-Ed25519 (RFC 8410).</summary>
    public const string Ed25519Oid = "1.3.101.112";

    /// <summary>id-ecPublicKey (RFC 5480).</summary>
    public const string EcPublicKeyOid = "1.2.840.10045.2.1";

    /// <summary>secp256r1 / prime256v1 / nistP256.</summary>
    public const string P256Oid = "1.2.840.10045.3.1.7";

    /// <summary>Algorithm name of Ed25519 keys and signatures.</summary>
    public const string Ed25519Algorithm = "ed25519";

    /// <summary>Algorithm name of ECDSA P-256 keys and signatures.</summary>
    public const string EcdsaP256Algorithm = "ecdsa-p256";

    // SEQUENCE(42) { SEQUENCE(5) { OID 1.3.101.112 }, BIT STRING(33) { 0 unused bits, ... } }: the fixed
    // 12-byte head of every Ed25519 SubjectPublicKeyInfo.
    private static ReadOnlySpan<byte> Ed25519SpkiPrefix => [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

    /// <summary><c>&lt;algorithm&gt;:&lt;lowercase sha256 hex of keyBytes&gt;</c>.</summary>
    public static string KeyId(string algorithm, ReadOnlySpan<byte> keyBytes)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(keyBytes, hash);
        return algorithm + ":" + Convert.ToHexStringLower(hash);
    }

    /// <summary>The 44-byte SubjectPublicKeyInfo DER of a raw Ed25519 public key.</summary>
    public static byte[] Ed25519Spki(ReadOnlySpan<byte> publicKey)
    {
        byte[] spki = new byte[Ed25519SpkiPrefix.Length + Ed25519Keys.KeySize];
        Ed25519SpkiPrefix.CopyTo(spki);
        publicKey.CopyTo(spki.AsSpan(Ed25519SpkiPrefix.Length));
        return spki;
    }

    /// <summary>The SPKI PEM (<c>-----BEGIN PUBLIC KEY-----</c>) of a raw Ed25519 public key.</summary>
    public static string Ed25519PublicKeyPem(ReadOnlySpan<byte> publicKey) =>
        PemEncoding.WriteString("PUBLIC KEY", Ed25519Spki(publicKey));

    /// <summary>True when <paramref name="key"/> is on the P-256 curve.</summary>
    public static bool IsP256(ECDsa key)
    {
        ECParameters parameters = key.ExportParameters(includePrivateParameters: false);
        return parameters.Curve.IsNamed && (parameters.Curve.Oid.Value == P256Oid
            || string.Equals(parameters.Curve.Oid.FriendlyName, "nistP256", StringComparison.OrdinalIgnoreCase)
            || string.Equals(parameters.Curve.Oid.FriendlyName, "ECDSA_P256", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// Reads the algorithm of a SubjectPublicKeyInfo: its algorithm OID, the curve OID when the
    /// parameters are one, and the subject public key bits.
    /// </summary>
    public static bool TryReadSpki(ReadOnlyMemory<byte> der, out string algorithmOid, out string? curveOid, out byte[] subjectPublicKey)
    {
        algorithmOid = string.Empty;
        curveOid = null;
        subjectPublicKey = [];
        try
        {
            AsnReader reader = new(der, AsnEncodingRules.DER);
            AsnReader spki = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            (algorithmOid, curveOid) = ReadAlgorithmIdentifier(spki);
            subjectPublicKey = spki.ReadBitString(out int unusedBits);
            spki.ThrowIfNotEmpty();
            return unusedBits == 0;
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    /// <summary>
    /// Reads a PKCS#8 PrivateKeyInfo: its algorithm OID, the curve OID when the parameters are one, and
    /// where the privateKey OCTET STRING's contents lie in <paramref name="der"/> (so no copy of key
    /// material is made).
    /// </summary>
    public static bool TryReadPkcs8(ReadOnlyMemory<byte> der, out string algorithmOid, out string? curveOid, out ReadOnlyMemory<byte> privateKey)
    {
        algorithmOid = string.Empty;
        curveOid = null;
        privateKey = default;
        try
        {
            AsnReader reader = new(der, AsnEncodingRules.BER);
            AsnReader info = reader.ReadSequence();
            _ = info.ReadInteger();
            (algorithmOid, curveOid) = ReadAlgorithmIdentifier(info);
            return info.TryReadPrimitiveOctetString(out privateKey);
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    /// <summary>
    /// The 32-byte seed inside an Ed25519 PKCS#8 privateKey field (RFC 8410: CurvePrivateKey ::= OCTET STRING),
    /// as a slice of <paramref name="privateKeyField"/>.
    /// </summary>
    public static bool TryReadEd25519Seed(ReadOnlyMemory<byte> privateKeyField, out ReadOnlyMemory<byte> seed)
    {
        seed = default;
        try
        {
            AsnReader reader = new(privateKeyField, AsnEncodingRules.BER);
            return reader.TryReadPrimitiveOctetString(out seed) && !reader.HasData && seed.Length == Ed25519Keys.KeySize;
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    private static (string AlgorithmOid, string? CurveOid) ReadAlgorithmIdentifier(AsnReader reader)
    {
        AsnReader algorithm = reader.ReadSequence();
        string algorithmOid = algorithm.ReadObjectIdentifier();
        string? curveOid = null;
        if (algorithm.HasData && algorithm.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier))
        {
            curveOid = algorithm.ReadObjectIdentifier();
        }

        return (algorithmOid, curveOid);
    }
}

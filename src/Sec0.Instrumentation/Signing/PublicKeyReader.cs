using System.Security.Cryptography;

namespace Sec0.Signing;

/// <summary>
/// Reads a public key for verification (<c>sec0 verify --pub</c>): a path to a file, or the key text itself —
/// base64 of a raw 32-byte Ed25519 public key, or SPKI PEM (<c>-----BEGIN PUBLIC KEY-----</c>) of an
/// Ed25519 or ECDSA P-256 key. The algorithm is detected from the key's OID.
/// </summary>
public static class PublicKeyReader
{
    /// <summary>Creates a verifier from a public key file path or public key text.</summary>
    /// <exception cref="Sec0SignerException">Neither a readable file nor text holding a supported public key.</exception>
    public static SignatureVerifier Read(string textOrPath)
    {
        ArgumentNullException.ThrowIfNull(textOrPath);
        string text = textOrPath;
        bool isFile = textOrPath.Length > 0 && textOrPath.IndexOf('\n') < 0 && File.Exists(textOrPath);
        if (isFile)
        {
            try
            {
                text = File.ReadAllText(textOrPath);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw new Sec0SignerException($"[sec0-signer] Public key file at {Path.GetFullPath(textOrPath)} could not be read: {exception.Message}", exception);
            }
        }

        ReadOnlySpan<char> trimmed = text.AsSpan().Trim();
        string source = isFile ? $" in {Path.GetFullPath(textOrPath)}" : string.Empty;
        if (trimmed.IsEmpty)
        {
            throw SignerMessages.PublicKeyFormat($"found empty text{source}");
        }

        return trimmed.StartsWith("-----BEGIN", StringComparison.Ordinal) ? ReadPem(trimmed, source) : ReadBase64(trimmed, source);
    }

    private static SignatureVerifier ReadPem(ReadOnlySpan<char> text, string source)
    {
        if (!PemEncoding.TryFind(text, out PemFields fields))
        {
            throw SignerMessages.PublicKeyFormat($"found text starting with -----BEGIN that is not a complete PEM block{source}");
        }

        ReadOnlySpan<char> label = text[fields.Label];
        if (!label.SequenceEqual("PUBLIC KEY"))
        {
            string hint = label.EndsWith("PRIVATE KEY", StringComparison.Ordinal)
                ? "; export the public key with: openssl pkey -in <key> -pubout"
                : string.Empty;
            throw SignerMessages.PublicKeyFormat($"found a PEM \"{label}\" block{source}{hint}");
        }

        byte[] der = new byte[fields.DecodedDataLength];
        if (!Convert.TryFromBase64Chars(text[fields.Base64Data], der, out int written) || written != der.Length)
        {
            throw SignerMessages.PublicKeyFormat($"found a PUBLIC KEY block that is not valid base64{source}");
        }

        return FromSpki(der, source);
    }

    private static SignatureVerifier ReadBase64(ReadOnlySpan<char> text, string source)
    {
        byte[] decoded = new byte[text.Length];
        if (!Convert.TryFromBase64Chars(text, decoded, out int written))
        {
            string found = source.Length > 0
                ? $"found {text.Length} characters that are neither base64 nor PEM{source}"
                : $"found no file at {SafeFullPath(text)} and the text is neither base64 nor PEM";
            throw SignerMessages.PublicKeyFormat(found);
        }

        if (written == Ed25519Keys.KeySize)
        {
            return new Ed25519Verifier(decoded.AsSpan(0, written));
        }

        // Base64 DER SubjectPublicKeyInfo is the PEM body without its armour; accept it too.
        if (KeyEncodings.TryReadSpki(decoded.AsMemory(0, written), out _, out _, out _))
        {
            return FromSpki(decoded[..written], source);
        }

        throw SignerMessages.PublicKeyFormat($"found base64 of {written} bytes{source}");
    }

    private static SignatureVerifier FromSpki(byte[] der, string source)
    {
        if (!KeyEncodings.TryReadSpki(der, out string algorithmOid, out string? curveOid, out byte[] subjectPublicKey))
        {
            throw SignerMessages.PublicKeyFormat($"found a PUBLIC KEY block that is not a valid SubjectPublicKeyInfo{source}");
        }

        if (algorithmOid == KeyEncodings.Ed25519Oid && subjectPublicKey.Length == Ed25519Keys.KeySize)
        {
            return new Ed25519Verifier(subjectPublicKey);
        }

        if (algorithmOid == KeyEncodings.EcPublicKeyOid && curveOid == KeyEncodings.P256Oid)
        {
            return new EcdsaP256Verifier(der);
        }

        throw SignerMessages.PublicKeyFormat($"found a public key of {SignerMessages.DescribeAlgorithm(algorithmOid, curveOid)}{source}");
    }

    private static string SafeFullPath(ReadOnlySpan<char> text)
    {
        try
        {
            return Path.GetFullPath(text.ToString());
        }
        catch (ArgumentException)
        {
            return text.ToString();
        }
    }
}

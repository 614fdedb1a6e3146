namespace Sec0.Signing;

/// <summary>
/// The <c>[sec0-signer]</c> error texts. Several are word for word from the TypeScript SDK because users
/// search for them; keep those unchanged.
/// </summary>
internal static class SignerMessages
{
    /// <summary>The TypeScript SDK's key-format text; details are appended after it, never inserted.</summary>
    public const string KeyFormatPrefix = "[sec0-signer] Signing key must be base64 for a 32-byte seed or 64-byte secret key";

    /// <summary>Key file whose contents are no supported key.</summary>
    public static Sec0SignerException KeyFormat(string found) =>
        new($"{KeyFormatPrefix} (or a PKCS#8 PEM Ed25519 / ECDSA P-256 key): {found}");

    /// <summary>keyRef with a scheme other than file://.</summary>
    public static Sec0SignerException UnsupportedKeyRef(string keyRef) =>
        new($"[sec0-signer] Unsupported keyRef \"{keyRef}\". Only file:// key refs are supported.");

    /// <summary>Key path whose real path is in no allowed directory.</summary>
    public static Sec0SignerException OutsideAllowedDirectories(string absolutePath) =>
        new($"[sec0-signer] keyRef path \"{absolutePath}\" is outside allowed directories. Set SEC0_SIGNER_KEY_DIRS to permit it.");

    /// <summary>Key file missing.</summary>
    public static Sec0SignerException KeyFileNotFound(string absolutePath) =>
        new($"[sec0-signer] Signing key file not found at: {absolutePath}");

    /// <summary>Key file present but unreadable.</summary>
    public static Sec0SignerException KeyFileUnreadable(string absolutePath, Exception inner) =>
        new($"[sec0-signer] Signing key file at {absolutePath} could not be read: {inner.Message}", inner);

    /// <summary>New key file would overwrite an existing one.</summary>
    public static Sec0SignerException KeyFileExists(string absolutePath) =>
        new($"[sec0-signer] Signing key file already exists at: {absolutePath}. Refusing to overwrite it; move it away or choose another path.");

    /// <summary>Public key text or file that is no supported public key.</summary>
    public static Sec0SignerException PublicKeyFormat(string found) =>
        new("[sec0-signer] Public key must be base64 of a 32-byte Ed25519 public key or an SPKI PEM (\"-----BEGIN PUBLIC KEY-----\") " +
            $"of an Ed25519 or ECDSA P-256 key, given as text or as a path to a file: {found}");

    /// <summary>A readable name for a key algorithm OID found where another was expected.</summary>
    public static string DescribeAlgorithm(string oid, string? curveOid) => oid switch
    {
        KeyEncodings.Ed25519Oid => "Ed25519",
        KeyEncodings.EcPublicKeyOid => curveOid == KeyEncodings.P256Oid ? "ECDSA P-256" : $"ECDSA on curve {curveOid ?? "(explicit parameters)"} (only P-256 is supported)",
        "1.3.101.113" => "Ed448 (only Ed25519 is supported)",
        "1.3.101.110" => "X25519 (a key-agreement key, not a signing key)",
        "1.2.840.113549.1.1.1" => "RSA (not supported)",
        _ => $"algorithm OID {oid} (not supported)",
    };
}

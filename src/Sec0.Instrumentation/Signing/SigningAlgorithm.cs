namespace Sec0.Signing;

/// <summary>The algorithm of a new signing key.</summary>
public enum SigningAlgorithm
{
    /// <summary>Ed25519 (RFC 8032); needs OpenSSL 3 libcrypto. The default and Sec0's existing key type.</summary>
    Ed25519,

    /// <summary>ECDSA over P-256 with SHA-256, IEEE P1363 signatures; works wherever .NET crypto does.</summary>
    EcdsaP256,
}

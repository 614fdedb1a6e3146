namespace Sec0.Signing;

/// <summary>Sizes of Ed25519 keys and signatures (RFC 8032).</summary>
internal static class Ed25519Keys
{
    /// <summary>Length of an Ed25519 seed (private key) and of a raw public key.</summary>
    public const int KeySize = 32;

    /// <summary>Length of an Ed25519 signature.</summary>
    public const int SignatureSize = 64;
}

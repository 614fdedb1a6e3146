using System.Runtime.Versioning;
using System.Security.Cryptography;
using Sec0.Signing;

namespace Sec0.Instrumentation.Tests.Signing;

/// <summary><see cref="PublicKeyReader"/>: text or path, raw base64 or SPKI PEM, algorithm by OID.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class PublicKeyReaderTests : IDisposable
{
    private const string Expected = "[sec0-signer] Public key must be base64 of a 32-byte Ed25519 public key or an SPKI PEM (\"-----BEGIN PUBLIC KEY-----\") " +
        "of an Ed25519 or ECDSA P-256 key, given as text or as a path to a file: ";

    private readonly TempKeyDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Reads_Ed25519_as_raw_Base64_or_pem_text_or_file()
    {
        using Ed25519Signer signer = new(RandomNumberGenerator.GetBytes(32));
        byte[] signature = new byte[64];
        signer.Sign("line"u8, signature);

        string pemPath = temp.Write("pub.pem", signer.PublicKeyPem);
        string rawPath = temp.Write("pub.b64", Convert.ToBase64String(signer.PublicKey.Span) + "\n");
        foreach (string input in new[] { Convert.ToBase64String(signer.PublicKey.Span), signer.PublicKeyPem, "\n" + signer.PublicKeyPem + "\n", pemPath, rawPath })
        {
            using SignatureVerifier verifier = PublicKeyReader.Read(input);
            Assert.IsType<Ed25519Verifier>(verifier);
            Assert.Equal(signer.KeyId, verifier.KeyId);
            Assert.True(verifier.Verify("line"u8, signature));
            Assert.False(verifier.Verify("lime"u8, signature));
        }
    }

    [Fact]
    public void Reads_OpenSSL_P256_public_key_file()
    {
        string keyPath = OpenSslCli.GenerateKey(temp.PathOf("keys/p256.pem"), "p256-pkcs8");
        string publicKeyPath = temp.Write("p256.pub.pem", OpenSslCli.Ok("pkey", "-in", keyPath, "-pubout"));
        using AuditSigner signer = LocalDevSigner.FromFile(keyPath, temp.Root, new CollectingLogger(), _ => null);
        byte[] signature = new byte[64];
        signer.Sign("line"u8, signature);

        using SignatureVerifier verifier = PublicKeyReader.Read(publicKeyPath);
        Assert.IsType<EcdsaP256Verifier>(verifier);
        Assert.Equal("ecdsa-p256", verifier.Algorithm);
        Assert.Equal(signer.KeyId, verifier.KeyId);
        Assert.True(verifier.Verify("line"u8, signature));
        Assert.False(verifier.Verify("lime"u8, signature));
    }

    [Fact]
    public void Refuses_anything_else_naming_what_was_expected()
    {
        string privatePath = OpenSslCli.GenerateKey(temp.PathOf("keys/ed25519.pem"), "ed25519-pkcs8");
        Directory.CreateDirectory(temp.PathOf("keys"));
        OpenSslCli.Ok("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", temp.PathOf("keys/rsa.pem"));
        string rsaPublic = OpenSslCli.Ok("pkey", "-in", temp.PathOf("keys/rsa.pem"), "-pubout");
        OpenSslCli.Ok("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", temp.PathOf("keys/p384.pem"));
        string p384Public = OpenSslCli.Ok("pkey", "-in", temp.PathOf("keys/p384.pem"), "-pubout");
        string notAPath = Path.Combine(temp.Root, "missing.pem");

        Assert.Equal(Expected + $"found a PEM \"PRIVATE KEY\" block in {privatePath}; export the public key with: openssl pkey -in <key> -pubout",
            Assert.Throws<Sec0SignerException>(() => PublicKeyReader.Read(privatePath)).Message);
        Assert.Equal(Expected + "found a public key of RSA (not supported)", Assert.Throws<Sec0SignerException>(() => PublicKeyReader.Read(rsaPublic)).Message);
        Assert.Equal(Expected + "found a public key of ECDSA on curve 1.3.132.0.34 (only P-256 is supported)", Assert.Throws<Sec0SignerException>(() => PublicKeyReader.Read(p384Public)).Message);
        Assert.Equal(Expected + $"found no file at {notAPath} and the text is neither base64 nor PEM", Assert.Throws<Sec0SignerException>(() => PublicKeyReader.Read(notAPath)).Message);
        Assert.Equal(Expected + "found base64 of 16 bytes", Assert.Throws<Sec0SignerException>(() => PublicKeyReader.Read(Convert.ToBase64String(new byte[16]))).Message);
        Assert.Equal(Expected + "found empty text", Assert.Throws<Sec0SignerException>(() => PublicKeyReader.Read("  ")).Message);
    }
}

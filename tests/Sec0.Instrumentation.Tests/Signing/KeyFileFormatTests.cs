using System.Formats.Asn1;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using Sec0.Signing;

namespace Sec0.Instrumentation.Tests.Signing;

/// <summary>
/// Every accepted key file format, with key files made by the real openssl CLI, signed with our signers and
/// checked against openssl and an independent ECDsa instance.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class KeyFileFormatTests : IDisposable
{
    private const string FormatPrefix = "[sec0-signer] Signing key must be base64 for a 32-byte seed or 64-byte secret key (or a PKCS#8 PEM Ed25519 / ECDSA P-256 key): ";

    private static readonly byte[] Message = "{\"seq\":1,\"tenant\":\"demo\"}"u8.ToArray();

    private readonly TempKeyDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private AuditSigner Load(string relativePath) => LocalDevSigner.FromFile(relativePath, temp.Root, new CollectingLogger(), _ => null);

    private byte[] SignToArray(AuditSigner signer, byte[] message)
    {
        byte[] signature = new byte[signer.SignatureSize];
        Assert.Equal(signer.SignatureSize, signer.Sign(message, signature));
        return signature;
    }

    [Fact]
    public void OpenSSL_rand_Base64_seed_signs_and_OpenSSL_verifies()
    {
        OpenSslCli.GenerateKey(temp.PathOf("keys/ed25519.key"), "rand-base64");
        using AuditSigner signer = Load("keys/ed25519.key");
        Assert.Equal("ed25519", signer.Algorithm);

        byte[] signature = SignToArray(signer, Message);
        using (SignatureVerifier verifier = signer.CreateVerifier())
        {
            Assert.True(verifier.Verify(Message, signature));
        }

        // openssl, given only our PublicKeyPem, accepts our signature and refuses it for another message.
        string publicKeyPath = temp.Write("pub.pem", signer.PublicKeyPem);
        string messagePath = temp.Write("msg.bin", Message);
        string signaturePath = temp.Write("sig.bin", signature);
        Assert.Contains("Signature Verified Successfully", OpenSslCli.Ok("pkeyutl", "-verify", "-pubin", "-inkey", publicKeyPath, "-rawin", "-in", messagePath, "-sigfile", signaturePath));
        string otherPath = temp.Write("other.bin", [.. Message, (byte)' ']);
        Assert.NotEqual(0, OpenSslCli.Run("pkeyutl", "-verify", "-pubin", "-inkey", publicKeyPath, "-rawin", "-in", otherPath, "-sigfile", signaturePath).ExitCode);
    }

    [Fact]
    public void OpenSSL_PKCS8_Ed25519_key_matches_OpenSSL_bit_for_bit()
    {
        string keyPath = OpenSslCli.GenerateKey(temp.PathOf("keys/ed25519.pem"), "ed25519-pkcs8");
        using AuditSigner signer = Load("keys/ed25519.pem");
        Assert.Equal("ed25519", signer.Algorithm);

        // Same public key as openssl derives, in the same SPKI PEM text.
        string openSslPublicPem = OpenSslCli.Ok("pkey", "-in", keyPath, "-pubout");
        Assert.Equal(openSslPublicPem.Trim(), signer.PublicKeyPem.Trim());

        // Ed25519 is deterministic: openssl's signature with the same key is byte-identical to ours.
        string messagePath = temp.Write("msg.bin", Message);
        string openSslSignaturePath = temp.PathOf("openssl.sig");
        OpenSslCli.Ok("pkeyutl", "-sign", "-rawin", "-inkey", keyPath, "-in", messagePath, "-out", openSslSignaturePath);
        byte[] openSslSignature = File.ReadAllBytes(openSslSignaturePath);
        Assert.Equal(openSslSignature, SignToArray(signer, Message));

        // And our verifier, built from openssl's public key file, accepts openssl's signature.
        string publicKeyPath = temp.Write("pub.pem", openSslPublicPem);
        using SignatureVerifier verifier = PublicKeyReader.Read(publicKeyPath);
        Assert.Equal(signer.KeyId, verifier.KeyId);
        Assert.True(verifier.Verify(Message, openSslSignature));
        Assert.False(verifier.Verify("tampered"u8, openSslSignature));
    }

    [Fact]
    public void Sixty_four_byte_secret_key_is_accepted_when_its_halves_agree()
    {
        byte[] seed = RandomNumberGenerator.GetBytes(32);
        string seedKeyId;
        byte[] publicKey;
        using (Ed25519Signer reference = new(seed))
        {
            seedKeyId = reference.KeyId;
            publicKey = reference.PublicKey.ToArray();
        }

        temp.Write("keys/secret64.key", Convert.ToBase64String([.. seed, .. publicKey]) + "\n");
        using AuditSigner signer = Load("keys/secret64.key");
        Assert.Equal(seedKeyId, signer.KeyId);

        byte[] wrongPublic = (byte[])publicKey.Clone();
        wrongPublic[0] ^= 1;
        temp.Write("keys/spliced.key", Convert.ToBase64String([.. seed, .. wrongPublic]));
        Sec0SignerException error = Assert.Throws<Sec0SignerException>(() => Load("keys/spliced.key"));
        Assert.Equal(FormatPrefix + "found a 64-byte secret key whose public half does not match its seed", error.Message);
    }

    [Theory]
    [InlineData("p256-pkcs8")]
    [InlineData("p256-sec1")]
    public void OpenSSL_P256_key_signs_P1363_verified_independently(string kind)
    {
        string keyPath = OpenSslCli.GenerateKey(temp.PathOf("keys/p256.pem"), kind);
        using AuditSigner signer = Load("keys/p256.pem");
        Assert.Equal("ecdsa-p256", signer.Algorithm);
        Assert.Equal(64, signer.SignatureSize);

        string openSslPublicPem = OpenSslCli.Ok("pkey", "-in", keyPath, "-pubout");
        Assert.Equal(openSslPublicPem.Trim(), signer.PublicKeyPem.Trim());
        byte[] spki = signer.PublicKey.ToArray();
        Assert.Equal("ecdsa-p256:" + Convert.ToHexStringLower(SHA256.HashData(spki)), signer.KeyId);

        byte[] signature = SignToArray(signer, Message);
        using (ECDsa independent = ECDsa.Create())
        {
            independent.ImportSubjectPublicKeyInfo(spki, out _);
            Assert.True(independent.VerifyData(Message, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
            Assert.False(independent.VerifyData("tampered"u8.ToArray(), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        }

        using (SignatureVerifier verifier = signer.CreateVerifier())
        {
            Assert.Equal(signer.KeyId, verifier.KeyId);
            Assert.True(verifier.Verify(Message, signature));
            byte[] bad = (byte[])signature.Clone();
            bad[10] ^= 0x40;
            Assert.False(verifier.Verify(Message, bad));
            Assert.False(verifier.Verify(Message, signature.AsSpan(0, 63)));
        }

        // openssl too, after re-encoding r||s as the DER SEQUENCE it expects.
        AsnWriter der = new(AsnEncodingRules.DER);
        using (der.PushSequence())
        {
            der.WriteIntegerUnsigned(signature.AsSpan(0, 32));
            der.WriteIntegerUnsigned(signature.AsSpan(32, 32));
        }

        string publicKeyPath = temp.Write("pub.pem", signer.PublicKeyPem);
        string messagePath = temp.Write("msg.bin", Message);
        string signaturePath = temp.Write("sig.der", der.Encode());
        Assert.Contains("Verified OK", OpenSslCli.Ok("dgst", "-sha256", "-verify", publicKeyPath, "-signature", signaturePath, messagePath));
    }

    [Fact]
    public void Whitespace_around_Base64_is_trimmed()
    {
        byte[] seed = RandomNumberGenerator.GetBytes(32);
        temp.Write("keys/padded.key", "\n  " + Convert.ToBase64String(seed) + " \r\n\n");
        using AuditSigner signer = Load("keys/padded.key");
        using Ed25519Signer reference = new(seed);
        Assert.Equal(reference.KeyId, signer.KeyId);
    }

    [Theory]
    [InlineData("padded")]
    [InlineData("unpadded")]
    [InlineData("base64url")]
    [InlineData("base64url-padded")]
    [InlineData("split-lines")]
    [InlineData("spaces-inside")]
    public void Seeds_in_every_Base64_spelling_the_TypeScript_SDK_reads_load_the_same_key(string spelling)
    {
        // KEYS.txt of the TypeScript SDK fixtures: the seed and the public key it gives.
        const string Seed = "UWWQ6OtnKX5m2iV5HrMHb6vgv2acQcEWOlJZbglICFk=";
        temp.Write("keys/ed25519.key", Spell(Convert.FromBase64String(Seed), spelling));

        using AuditSigner signer = Load("keys/ed25519.key");

        Assert.Equal("hYCQJelfQffo3LZMX9UceVEqTJOS/f0jgpoRpcKsMf0=", Convert.ToBase64String(signer.PublicKey.Span));
    }

    [Theory]
    [InlineData("unpadded")]
    [InlineData("base64url")]
    [InlineData("split-lines")]
    public void Sixty_four_byte_secret_keys_load_in_the_same_spellings(string spelling)
    {
        byte[] seed = RandomNumberGenerator.GetBytes(32);
        using Ed25519Signer reference = new(seed);
        byte[] secretKey = [.. seed, .. reference.PublicKey.Span];
        temp.Write("keys/secret64.key", Spell(secretKey, spelling));

        using AuditSigner signer = Load("keys/secret64.key");
        Assert.Equal(reference.KeyId, signer.KeyId);

        // A mismatched public half is refused in every spelling (the TypeScript SDK loads it and signs unverifiably).
        secretKey[40] ^= 1;
        temp.Write("keys/spliced.key", Spell(secretKey, spelling));
        Assert.Equal(FormatPrefix + "found a 64-byte secret key whose public half does not match its seed", Assert.Throws<Sec0SignerException>(() => Load("keys/spliced.key")).Message);
    }

    [Theory]
    [InlineData("!", 10, "found '!' at character 11, which is not base64 (A-Z a-z 0-9 + / or the base64url - _, = only at the end, and whitespace): a damaged or wrong file")]
    [InlineData("$", 0, "found '$' at character 1, which is not base64 (A-Z a-z 0-9 + / or the base64url - _, = only at the end, and whitespace): a damaged or wrong file")]
    [InlineData("=", 8, "found '=' at character 9, which is not base64 (A-Z a-z 0-9 + / or the base64url - _, = only at the end, and whitespace): a damaged or wrong file")]
    [InlineData("\u00e9", 20, "found 'é' at character 21, which is not base64 (A-Z a-z 0-9 + / or the base64url - _, = only at the end, and whitespace): a damaged or wrong file")]
    public void Junk_characters_are_refused_where_the_TypeScript_SDK_skips_them(string junk, int at, string found)
    {
        string text = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        temp.Write("keys/junk.key", text.Insert(at, System.Text.RegularExpressions.Regex.Unescape(junk)));

        Sec0SignerException error = Assert.Throws<Sec0SignerException>(() => Load("keys/junk.key"));

        Assert.Equal(FormatPrefix + found, error.Message);
    }

    [Fact]
    public void Both_alphabets_in_one_key_and_impossible_lengths_are_refused()
    {
        // 43 characters of each alphabet's specials: '+' and '_' cannot both be in one encoding.
        temp.Write("keys/mixed.key", "+" + new string('A', 41) + "_");
        Assert.Equal(
            FormatPrefix + "found both base64 ('+', '/') and base64url ('-', '_') characters: a damaged or wrong file",
            Assert.Throws<Sec0SignerException>(() => Load("keys/mixed.key")).Message);

        temp.Write("keys/short.key", new string('A', 41)); // 41 characters: no whole number of bytes
        Assert.Equal(
            FormatPrefix + "found 41 base64 characters, which is no whole number of bytes (a character is missing or extra)",
            Assert.Throws<Sec0SignerException>(() => Load("keys/short.key")).Message);

        temp.Write("keys/overpadded.key", Convert.ToBase64String(new byte[32]) + "=");
        Assert.Equal(
            FormatPrefix + "found 45 base64 characters, which is no whole number of bytes (a character is missing or extra)",
            Assert.Throws<Sec0SignerException>(() => Load("keys/overpadded.key")).Message);
    }

    private static string Spell(byte[] key, string spelling)
    {
        string padded = Convert.ToBase64String(key);
        string url = padded.Replace('+', '-').Replace('/', '_');
        return spelling switch
        {
            "padded" => padded + "\n",
            "unpadded" => padded.TrimEnd('=') + "\n",
            "base64url" => url.TrimEnd('='),
            "base64url-padded" => url,
            "split-lines" => "\r\n" + padded[..20] + "\n" + padded[20..40] + "\r\n" + padded[40..] + "\n\n",
            "spaces-inside" => " " + padded[..10] + " \t " + padded[10..].TrimEnd('=') + " ",
            _ => throw new ArgumentOutOfRangeException(nameof(spelling)),
        };
    }

    [Fact]
    public void Unsupported_OpenSSL_keys_are_named()
    {
        Directory.CreateDirectory(temp.PathOf("keys"));
        OpenSslCli.Ok("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", temp.PathOf("keys/p384.pem"));
        OpenSslCli.Ok("ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", temp.PathOf("keys/p384-sec1.pem"));
        OpenSslCli.Ok("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", temp.PathOf("keys/rsa.pem"));
        OpenSslCli.Ok("genpkey", "-algorithm", "ed448", "-out", temp.PathOf("keys/ed448.pem"));
        OpenSslCli.Ok("genpkey", "-algorithm", "ed25519", "-aes-256-cbc", "-pass", "pass:secret", "-out", temp.PathOf("keys/encrypted.pem"));

        Assert.Equal(FormatPrefix + "found a PKCS#8 key of ECDSA on curve 1.3.132.0.34 (only P-256 is supported)", Assert.Throws<Sec0SignerException>(() => Load("keys/p384.pem")).Message);
        Assert.Equal(FormatPrefix + "found an EC PRIVATE KEY on a curve other than P-256", Assert.Throws<Sec0SignerException>(() => Load("keys/p384-sec1.pem")).Message);
        Assert.Equal(FormatPrefix + "found a PKCS#8 key of RSA (not supported)", Assert.Throws<Sec0SignerException>(() => Load("keys/rsa.pem")).Message);
        Assert.Equal(FormatPrefix + "found a PKCS#8 key of Ed448 (only Ed25519 is supported)", Assert.Throws<Sec0SignerException>(() => Load("keys/ed448.pem")).Message);
        Assert.Equal(
            FormatPrefix + "found an encrypted PKCS#8 key (ENCRYPTED PRIVATE KEY); decrypt it first with openssl pkey",
            Assert.Throws<Sec0SignerException>(() => Load("keys/encrypted.pem")).Message);
    }

    [Theory]
    [InlineData("", "found an empty file")]
    [InlineData("  \n\t ", "found an empty file")]
    [InlineData("not-a-key!", "found '!' at character 10, which is not base64 (A-Z a-z 0-9 + / or the base64url - _, = only at the end, and whitespace): a damaged or wrong file")]
    [InlineData("not a key at all", "found base64 of 9 bytes")]
    [InlineData("AAECAwQFBgcICQoLDA0ODw==", "found base64 of 16 bytes")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n", "found a PEM \"CERTIFICATE\" block")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAEC", "found text starting with -----BEGIN that is not a complete PEM block")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAEC\n-----END PRIVATE KEY-----\n", "found a PRIVATE KEY block that is not valid PKCS#8")]
    public void Malformed_key_files_get_the_Sec0_text(string content, string found)
    {
        temp.Write("keys/bad.key", content);
        Sec0SignerException error = Assert.Throws<Sec0SignerException>(() => Load("keys/bad.key"));
        Assert.Equal(FormatPrefix + found, error.Message);
        Assert.StartsWith("[sec0-signer] Signing key must be base64 for a 32-byte seed or 64-byte secret key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Binary_and_public_key_files_are_refused()
    {
        temp.Write("keys/binary.key", [0xff, 0xfe, 0x00, 0x81]);
        Assert.Equal(FormatPrefix + "found 4 bytes of binary data, neither base64 nor PEM", Assert.Throws<Sec0SignerException>(() => Load("keys/binary.key")).Message);

        using Ed25519Signer signer = new(new byte[32]);
        temp.Write("keys/public.pem", signer.PublicKeyPem);
        Assert.Equal(FormatPrefix + "found a public key (PUBLIC KEY), not a private key", Assert.Throws<Sec0SignerException>(() => Load("keys/public.pem")).Message);
    }
}

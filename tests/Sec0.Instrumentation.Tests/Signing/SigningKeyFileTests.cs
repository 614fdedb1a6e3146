using System.Runtime.Versioning;
using Sec0.Signing;

namespace Sec0.Instrumentation.Tests.Signing;

/// <summary><see cref="SigningKeyFile.Create"/>: mode 0600 from creation, parents 0700, never overwrites.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class SigningKeyFileTests : IDisposable
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly TempKeyDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Creates_Ed25519_seed_file_compatible_with_OpenSSL_rand_files()
    {
        string path = temp.PathOf(".sec0/keys/ed25519.key");
        using AuditSigner created = SigningKeyFile.Create(path, SigningAlgorithm.Ed25519);

        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(temp.PathOf(".sec0/keys")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(temp.PathOf(".sec0")));
        string content = File.ReadAllText(path);
        Assert.EndsWith("\n", content, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(content.Trim()).Length);

        CollectingLogger logger = new();
        using AuditSigner loaded = LocalDevSigner.FromKeyRef("file://.sec0/keys/ed25519.key", temp.Root, logger, _ => null);
        Assert.Equal(created.KeyId, loaded.KeyId);
        Assert.Empty(logger.Entries);
    }

    [Fact]
    public void Creates_ecdsa_P256_PKCS8_pem_that_OpenSSL_reads()
    {
        string path = temp.PathOf("keys/p256.pem");
        using AuditSigner created = SigningKeyFile.Create(path, SigningAlgorithm.EcdsaP256);

        Assert.Equal("ecdsa-p256", created.Algorithm);
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(path));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Equal(created.PublicKeyPem.Trim(), OpenSslCli.Ok("pkey", "-in", path, "-pubout").Trim());

        using AuditSigner loaded = LocalDevSigner.FromFile(path, temp.Root, new CollectingLogger(), _ => null);
        Assert.Equal(created.KeyId, loaded.KeyId);
    }

    [Theory]
    [InlineData(SigningAlgorithm.Ed25519)]
    [InlineData(SigningAlgorithm.EcdsaP256)]
    public void Refuses_to_overwrite_an_existing_file(SigningAlgorithm algorithm)
    {
        string path = temp.Write("keys/existing.key", "keep me");
        Sec0SignerException error = Assert.Throws<Sec0SignerException>(() => SigningKeyFile.Create(path, algorithm));
        Assert.Equal($"[sec0-signer] Signing key file already exists at: {path}. Refusing to overwrite it; move it away or choose another path.", error.Message);
        Assert.Equal("keep me", File.ReadAllText(path));
    }
}

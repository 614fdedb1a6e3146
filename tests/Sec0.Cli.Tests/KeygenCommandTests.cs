using Sec0.Cli.Tests.Infrastructure;
using Sec0.Signing;

namespace Sec0.Cli.Tests;

// Key file modes are a Unix concern; the Windows build of the tool writes keys without them.
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KeygenCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Ed25519_writes_an_owner_only_key_and_its_public_key_beside_it()
    {
        string keyPath = _temp.Combine(".sec0", "keys", "ed25519.key");

        CliRun run = CliRun.InProcess("keygen", "--out", keyPath);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal("", run.Error);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));

        // The key loads through the runtime's own loader, and what keygen printed describes it.
        using AuditSigner signer = LocalDevSigner.FromFile(keyPath, baseDirectory: _temp.Path);
        Assert.Equal("ed25519", signer.Algorithm);
        Assert.Contains($"Key id: {signer.KeyId}\n", run.Out);
        string publicKeyPem = File.ReadAllText(keyPath + ".pub");
        Assert.Equal(signer.PublicKeyPem.Trim(), publicKeyPem.Trim());
        Assert.Contains(publicKeyPem, run.Out);
        Assert.Contains($"sec0 verify <audit dir> --pub {keyPath}.pub", run.Out);

        using SignatureVerifier verifier = PublicKeyReader.Read(keyPath + ".pub");
        Assert.Equal(signer.KeyId, verifier.KeyId);
    }

    [Fact]
    public void Ecdsa_p256_writes_a_pkcs8_key()
    {
        string keyPath = _temp.Combine("keys", "p256.pem");

        CliRun run = CliRun.InProcess("keygen", "--alg", "ecdsa-p256", "--out", keyPath);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(keyPath), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));
        using AuditSigner signer = LocalDevSigner.FromFile(keyPath, baseDirectory: _temp.Path);
        Assert.Equal("ecdsa-p256", signer.Algorithm);
        Assert.Contains($"Key id: {signer.KeyId}\n", run.Out);
        using SignatureVerifier verifier = PublicKeyReader.Read(keyPath + ".pub");
        Assert.Equal(signer.KeyId, verifier.KeyId);
    }

    [Fact]
    public void Refuses_to_overwrite_an_existing_key()
    {
        string keyPath = _temp.Combine("keys", "ed25519.key");
        Assert.Equal(ExitCodes.Success, CliRun.InProcess("keygen", "--out", keyPath).ExitCode);
        string original = File.ReadAllText(keyPath);
        string originalPublic = File.ReadAllText(keyPath + ".pub");

        CliRun second = CliRun.InProcess("keygen", "--out", keyPath);

        Assert.Equal(ExitCodes.Failure, second.ExitCode);
        Assert.Equal("", second.Out);
        Assert.Equal($"[sec0-signer] Signing key file already exists at: {keyPath}. Refusing to overwrite it; move it away or choose another path.\n", second.Error);
        Assert.Equal(original, File.ReadAllText(keyPath));
        Assert.Equal(originalPublic, File.ReadAllText(keyPath + ".pub"));
    }

    [Fact]
    public void Refuses_to_overwrite_an_existing_public_key_and_writes_no_private_key()
    {
        string keyPath = _temp.Combine("keys", "ed25519.key");
        Directory.CreateDirectory(_temp.Combine("keys"));
        File.WriteAllText(keyPath + ".pub", "someone else's key");

        CliRun run = CliRun.InProcess("keygen", "--out", keyPath);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains("Public key file already exists", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(keyPath));
        Assert.Equal("someone else's key", File.ReadAllText(keyPath + ".pub"));
    }

    [Fact]
    public void An_unknown_algorithm_is_a_usage_error()
    {
        CliRun run = CliRun.InProcess("keygen", "--alg", "rsa", "--out", _temp.Combine("k"));

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("'rsa'", run.Error, StringComparison.Ordinal);
        Assert.Contains("Run 'sec0 keygen --help' for usage.", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.Combine("k")));
    }

    [Fact]
    public void Child_process_writes_the_default_ecdsa_path_relative_to_the_working_directory()
    {
        CliRun run = CliRun.ChildProcess(_temp.Path, "keygen", "--alg", "ecdsa-p256");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        string keyPath = _temp.Combine(".sec0", "keys", "ecdsa-p256.pem");
        Assert.True(File.Exists(keyPath));
        Assert.True(File.Exists(keyPath + ".pub"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));
        Assert.Contains("--pub ./.sec0/keys/ecdsa-p256.pem.pub", run.Out, StringComparison.Ordinal);
    }
}

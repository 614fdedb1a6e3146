using System.Runtime.Versioning;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Sec0.Signing;

namespace Sec0.Instrumentation.Tests.Signing;

/// <summary>keyRef parsing, allowed directories, <c>..</c> and symlink escapes, and the permissions warning.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class LocalDevSignerPathTests : IDisposable
{
    private readonly TempKeyDirectory temp = new();
    private readonly CollectingLogger logger = new();

    public void Dispose() => temp.Dispose();

    private static Func<string, string?> Environment(string? keyDirs) =>
        name => name == "SEC0_SIGNER_KEY_DIRS" ? keyDirs : null;

    private static string Outside(string absolutePath) =>
        $"[sec0-signer] keyRef path \"{absolutePath}\" is outside allowed directories. Set SEC0_SIGNER_KEY_DIRS to permit it.";

    private string WriteSeed(string relative) => temp.Write(relative, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n");

    private AuditSigner FromKeyRef(string keyRef, string? keyDirs = null) =>
        LocalDevSigner.FromKeyRef(keyRef, temp.Root, logger, Environment(keyDirs));

    [Theory]
    [InlineData(".sec0/keys")]
    [InlineData("keys")]
    [InlineData("config/keys")]
    [InlineData(".sec0/secrets")]
    [InlineData("secrets")]
    public void Default_directories_are_allowed(string directory)
    {
        WriteSeed(directory + "/ed25519.key");
        using AuditSigner signer = FromKeyRef($"file://{directory}/ed25519.key");
        Assert.StartsWith("ed25519:", signer.KeyId, StringComparison.Ordinal);
        Assert.Empty(logger.Entries);
    }

    [Fact]
    public void Absolute_and_relative_file_refs_name_the_same_key()
    {
        string path = WriteSeed("keys/ed25519.key");
        using AuditSigner relative = FromKeyRef("file://keys/ed25519.key");
        using AuditSigner absolute = FromKeyRef("file://" + path);
        using AuditSigner fromFile = LocalDevSigner.FromFile("keys/ed25519.key", temp.Root, logger, Environment(null));
        Assert.StartsWith("file:///", "file://" + path, StringComparison.Ordinal);
        Assert.Equal(relative.KeyId, absolute.KeyId);
        Assert.Equal(relative.KeyId, fromFile.KeyId);
    }

    [Theory]
    [InlineData("s3://bucket/ed25519.key")]
    [InlineData("keys/ed25519.key")]
    [InlineData("file:/keys/ed25519.key")]
    [InlineData("FILE://keys/ed25519.key")]
    [InlineData("file://")]
    [InlineData("")]
    public void Only_file_refs_are_supported(string keyRef)
    {
        Sec0SignerException error = Assert.Throws<Sec0SignerException>(() => FromKeyRef(keyRef));
        Assert.Equal($"[sec0-signer] Unsupported keyRef \"{keyRef}\". Only file:// key refs are supported.", error.Message);
    }

    [Fact]
    public void Key_outside_the_default_directories_is_refused()
    {
        string path = WriteSeed("ed25519.key");
        Assert.Equal(Outside(path), Assert.Throws<Sec0SignerException>(() => FromKeyRef("file://ed25519.key")).Message);
        WriteSeed("other/ed25519.key");
        Assert.Equal(Outside(temp.PathOf("other/ed25519.key")), Assert.Throws<Sec0SignerException>(() => FromKeyRef("file://other/ed25519.key")).Message);
    }

    [Fact]
    public void Key_dirs_variable_replaces_the_defaults()
    {
        WriteSeed("custom/ed25519.key");
        string elsewhere = temp.PathOf("elsewhere");
        WriteSeed("elsewhere/ed25519.key");
        WriteSeed("keys/ed25519.key");
        string keyDirs = $" custom , {elsewhere} ,";

        using (AuditSigner relativeEntry = FromKeyRef("file://custom/ed25519.key", keyDirs))
        using (AuditSigner absoluteEntry = FromKeyRef("file://" + temp.PathOf("elsewhere/ed25519.key"), keyDirs))
        {
            Assert.NotEqual(relativeEntry.KeyId, absoluteEntry.KeyId);
        }

        // With the variable set, the defaults are no longer allowed.
        Assert.Equal(Outside(temp.PathOf("keys/ed25519.key")), Assert.Throws<Sec0SignerException>(() => FromKeyRef("file://keys/ed25519.key", keyDirs)).Message);
        // Without it they are, and the custom directory is not.
        using (FromKeyRef("file://keys/ed25519.key"))
        {
        }

        Assert.Equal(Outside(temp.PathOf("custom/ed25519.key")), Assert.Throws<Sec0SignerException>(() => FromKeyRef("file://custom/ed25519.key")).Message);
    }

    [Fact]
    public void Dot_dot_segments_cannot_leave_an_allowed_directory()
    {
        string outside = WriteSeed("outside.key");
        WriteSeed("keys/ed25519.key");
        Sec0SignerException error = Assert.Throws<Sec0SignerException>(() => FromKeyRef("file://keys/../outside.key"));
        Assert.Equal(Outside(outside), error.Message);
        Assert.Equal(Outside(outside), Assert.Throws<Sec0SignerException>(() => FromKeyRef("file://" + temp.Root + "/keys/../outside.key")).Message);

        // ".." that stays inside is fine.
        using AuditSigner signer = FromKeyRef("file://keys/sub/../ed25519.key");
        Assert.Equal("ed25519", signer.Algorithm);
    }

    [Fact]
    public void Symlink_out_of_an_allowed_directory_is_refused()
    {
        string secret = WriteSeed("elsewhere/secret.key");
        Directory.CreateDirectory(temp.PathOf("keys"));
        File.CreateSymbolicLink(temp.PathOf("keys/ed25519.key"), secret);
        Directory.CreateSymbolicLink(temp.PathOf("keys/linked-dir"), temp.PathOf("elsewhere"));

        Assert.Equal(Outside(temp.PathOf("keys/ed25519.key")), Assert.Throws<Sec0SignerException>(() => FromKeyRef("file://keys/ed25519.key")).Message);
        Assert.Equal(Outside(temp.PathOf("keys/linked-dir/secret.key")), Assert.Throws<Sec0SignerException>(() => FromKeyRef("file://keys/linked-dir/secret.key")).Message);
    }

    [Fact]
    public void Symlinks_that_stay_inside_are_allowed()
    {
        string real = WriteSeed("keys/real/ed25519.key");
        File.CreateSymbolicLink(temp.PathOf("keys/current.key"), real);
        using AuditSigner viaLink = FromKeyRef("file://keys/current.key");
        using AuditSigner direct = FromKeyRef("file://keys/real/ed25519.key");
        Assert.Equal(direct.KeyId, viaLink.KeyId);

        // An allowed directory that is itself a symlink is compared by its real path too.
        WriteSeed("vault/ed25519.key");
        Directory.CreateDirectory(temp.PathOf(".sec0"));
        Directory.CreateSymbolicLink(temp.PathOf(".sec0/keys"), temp.PathOf("vault"));
        using AuditSigner viaLinkedDirectory = FromKeyRef("file://.sec0/keys/ed25519.key");
        Assert.Equal("ed25519", viaLinkedDirectory.Algorithm);
    }

    [Fact]
    public void Sibling_directory_with_the_same_prefix_is_not_inside()
    {
        string trap = WriteSeed("keys2/ed25519.key");
        Assert.Equal(Outside(trap), Assert.Throws<Sec0SignerException>(() => FromKeyRef("file://keys2/ed25519.key")).Message);
        Assert.Equal(Outside(trap), Assert.Throws<Sec0SignerException>(() => FromKeyRef("file://" + trap, temp.PathOf("keys"))).Message);
        Assert.Equal(Outside(trap), Assert.Throws<Sec0SignerException>(() => FromKeyRef("file://" + trap, temp.PathOf("keys") + "/")).Message);
    }

    [Fact]
    public void Missing_key_file_is_reported_only_inside_allowed_directories()
    {
        Directory.CreateDirectory(temp.PathOf("keys"));
        Assert.Equal(
            $"[sec0-signer] Signing key file not found at: {temp.PathOf("keys/missing.key")}",
            Assert.Throws<Sec0SignerException>(() => FromKeyRef("file://keys/missing.key")).Message);
        Assert.Equal(
            $"[sec0-signer] Signing key file not found at: {temp.PathOf("keys/no/such/dir/missing.key")}",
            Assert.Throws<Sec0SignerException>(() => FromKeyRef("file://keys/no/such/dir/missing.key")).Message);
        // Outside, the refusal comes first and says nothing about existence.
        Assert.Equal(Outside(temp.PathOf("missing.key")), Assert.Throws<Sec0SignerException>(() => FromKeyRef("file://missing.key")).Message);
    }

    [Fact]
    public void Group_readable_key_logs_a_chmod_warning()
    {
        string path = temp.Write("keys/ed25519.key", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        using AuditSigner signer = FromKeyRef("file://keys/ed25519.key");

        (LogLevel level, string message) = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, level);
        Assert.Equal($"[sec0-signer] warning: signing key file is readable by group or others (mode 640). Fix: chmod 600 {path}", message);
    }

    [Fact]
    public void Owner_only_key_logs_nothing()
    {
        temp.Write("keys/a.key", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        temp.Write("keys/b.key", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), UnixFileMode.UserRead);
        using (FromKeyRef("file://keys/a.key"))
        using (FromKeyRef("file://keys/b.key"))
        {
            Assert.Empty(logger.Entries);
        }

        temp.Write("keys/c.key", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead | UnixFileMode.GroupRead);
        using (FromKeyRef("file://keys/c.key"))
        {
            Assert.Contains("(mode 644)", Assert.Single(logger.Entries).Message, StringComparison.Ordinal);
        }
    }
}

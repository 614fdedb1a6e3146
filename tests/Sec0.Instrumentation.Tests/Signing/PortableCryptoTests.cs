using System.Diagnostics;
using Sec0.Instrumentation.Tests.Support;
using Sec0.Signing;

namespace Sec0.Instrumentation.Tests.Signing;

/// <summary>
/// Signing needs no OpenSSL: Ed25519 goes through libsodium (NSec), and SHA-256 falls back to .NET. Proven in a real child
/// process whose resolver is told not to look for libcrypto, as on a Windows or macOS machine without it.
/// </summary>
public sealed class PortableCryptoTests : IDisposable
{
    private readonly TempDirectory _dir = new("portable-crypto");

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_whole_pipeline_runs_and_verifies_with_and_without_libcrypto(bool hideLibCrypto)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(ChildProcess.CrashHostPath);
        info.ArgumentList.Add("pipeline");
        info.ArgumentList.Add(_dir.Path);
        info.Environment[NativeLibraryResolver.DisableLibCryptoVariable] = hideLibCrypto ? "1" : null;
        using var child = Process.Start(info)!;
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        Assert.True(child.WaitForExit(TimeSpan.FromSeconds(60)), "the pipeline did not finish within 60 s");
        var output = await stdout;
        var errors = await stderr;

        Assert.True(child.ExitCode == 0, output + errors);
        Assert.Contains("VERIFIED 100 of 100 intact=True", output, StringComparison.Ordinal);
        if (hideLibCrypto)
        {
            Assert.Contains("LIBCRYPTO not-used", output, StringComparison.Ordinal);
            Assert.Contains("SHA256 dotnet", output, StringComparison.Ordinal);
        }

        // The key it wrote is a standard one: the openssl CLI, where present, reads it as Ed25519.
        Assert.True(File.Exists(_dir.Combine("keys", "ed25519.key")));
    }

    [Fact]
    public void Signatures_are_those_of_RFC_8032_and_verify_across_instances()
    {
        // RFC 8032 section 7.1, test 1: the empty message.
        var seed = Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        using var signer = new Ed25519Signer(seed);
        Assert.Equal("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", Convert.ToHexStringLower(signer.PublicKey.Span));
        var signature = new byte[64];
        Assert.Equal(64, signer.Sign([], signature));
        Assert.Equal("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b", Convert.ToHexStringLower(signature));

        using var verifier = new Ed25519Verifier(signer.PublicKey.Span);
        Assert.True(verifier.Verify([], signature));
        signature[0] ^= 1;
        Assert.False(verifier.Verify([], signature));
        Assert.False(verifier.Verify([], signature.AsSpan(0, 63)));
    }
}

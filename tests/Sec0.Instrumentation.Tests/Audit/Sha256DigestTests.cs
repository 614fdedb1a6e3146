using System.Security.Cryptography;
using Sec0.Audit;

namespace Sec0.Instrumentation.Tests.Audit;

/// <summary>
/// Every hash in the audit log (chain, input/output, canonical) comes from <see cref="Sha256Digest"/>, which
/// calls libcrypto's low-level SHA-256 when it can. A wrong byte there would make every log fail verification,
/// so it is held to .NET's SHA256 on every length around the 64-byte block and padding boundaries.
/// </summary>
public class Sha256DigestTests
{
    [Fact]
    public void Uses_libcrypto_on_this_machine()
    {
        // The test machines install OpenSSL 3 (.ci/run); without it the fallback below is what runs.
        Assert.True(Sha256Digest.IsNative, "libcrypto's SHA256_Init/Update/Final were not found or failed the self-test.");
    }

    [Fact]
    public void Agrees_with_dotnet_on_every_length_across_block_boundaries_and_on_large_inputs()
    {
        var random = new Random(256);
        var data = new byte[3 * 1024 * 1024];
        random.NextBytes(data);
        var lengths = Enumerable.Range(0, 300).Concat([1023, 1024, 1025, 4096, 65_537, data.Length]);
        Span<byte> actual = stackalloc byte[Sha256Digest.Size];
        foreach (var length in lengths)
        {
            var input = data.AsSpan(random.Next(0, 7), Math.Min(length, data.Length - 7));
            Sha256Digest.Compute(input, actual);
            Assert.True(SHA256.HashData(input).AsSpan().SequenceEqual(actual), $"SHA-256 differs for {input.Length} bytes.");
        }
    }

    [Fact]
    public void Hex_form_is_the_lowercase_hex_of_the_hash()
    {
        Assert.Equal(
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            Sha256Hex.Of("abc"u8));
    }

    [Fact]
    public void A_destination_shorter_than_32_bytes_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => Sha256Digest.Compute("x"u8, new byte[31]));
        Assert.Contains("32 bytes", error.Message);
    }
}

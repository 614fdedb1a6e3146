namespace Sec0.Audit;

/// <summary>Lowercase hex SHA-256, the form every hash in the audit format takes.</summary>
internal static class Sha256Hex
{
    /// <summary>The lowercase hex SHA-256 of <paramref name="bytes"/>.</summary>
    public static string Of(ReadOnlySpan<byte> bytes)
    {
        Span<byte> hash = stackalloc byte[Sha256Digest.Size];
        Sha256Digest.Compute(bytes, hash);
        return Convert.ToHexStringLower(hash);
    }
}

using System.Security.Cryptography;
using System.Text;

namespace Sec0.Approvals;

/// <summary>
/// The MAC both kinds of approvals token carry (approval tokens, reviewer tokens and the page's CSRF tokens):
/// base64url HMAC-SHA256 over a context label and the text, compared in constant time.
/// </summary>
internal static class TokenMac
{
    /// <summary>The base64url HMAC-SHA256 of <paramref name="context"/> followed by the UTF-8 of <paramref name="text"/>.</summary>
    public static string Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> context, string text)
    {
        var message = new byte[context.Length + Encoding.UTF8.GetByteCount(text)];
        context.CopyTo(message);
        Encoding.UTF8.GetBytes(text, message.AsSpan(context.Length));
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, message, mac);
        return System.Buffers.Text.Base64Url.EncodeToString(mac);
    }

    /// <summary>Whether <paramref name="given"/> is <paramref name="expected"/>, in time that does not depend on where they differ.</summary>
    public static bool Matches(ReadOnlySpan<char> expected, ReadOnlySpan<char> given) =>
        CryptographicOperations.FixedTimeEquals(
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(expected),
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(given));
}

using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;

namespace Sec0.Signing;

/// <summary>
/// Decodes the base64 text of a key file the way Sec0's key files are written in practice: the standard or the
/// URL-safe alphabet, padded or not, with whitespace and line breaks anywhere (the TypeScript SDK reads all
/// of these). Unlike the TypeScript SDK (Node's lenient decoder), any other character is refused, not skipped:
/// it means a damaged or wrong file, and skipping it could load some other key.
/// </summary>
internal static class KeyTextBase64
{
    private const string Alphabets = "A-Z a-z 0-9 + / or the base64url - _, = only at the end, and whitespace";

    /// <summary>Decodes <paramref name="text"/> into <paramref name="destination"/>; the caller zeroes it.</summary>
    /// <param name="text">The key text, surrounding whitespace already trimmed.</param>
    /// <param name="offset">Where <paramref name="text"/> starts in the file's text, for the position in an error.</param>
    /// <param name="destination">At least <c>text.Length * 3 / 4</c> bytes.</param>
    /// <returns>How many bytes were written.</returns>
    /// <exception cref="Sec0SignerException">The text is not base64 in one of the accepted spellings.</exception>
    public static int Decode(ReadOnlySpan<char> text, int offset, Span<byte> destination)
    {
        // Standard padded base64 of the same bytes, which .NET decodes; zeroed after use like every key buffer.
        char[] normalized = ArrayPool<char>.Shared.Rent(text.Length + 3);
        try
        {
            int data = 0, padding = 0;
            bool standard = false, urlSafe = false;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c is ' ' or '\t' or '\r' or '\n' or '\f' or '\v')
                {
                    continue;
                }

                if (c == '=')
                {
                    padding++;
                    continue;
                }

                bool isData = char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '-' or '_';
                if (!isData || padding > 0)
                {
                    // A data character after '=' means the padding was not at the end: report the '='.
                    int at = isData ? text[..i].LastIndexOf('=') : i;
                    throw SignerMessages.KeyFormat(string.Create(CultureInfo.InvariantCulture,
                        $"found {Describe(text[at])} at character {offset + at + 1}, which is not base64 ({Alphabets}): a damaged or wrong file"));
                }

                standard |= c is '+' or '/';
                urlSafe |= c is '-' or '_';
                normalized[data++] = c switch
                {
                    '-' => '+',
                    '_' => '/',
                    _ => c,
                };
            }

            if (standard && urlSafe)
            {
                throw SignerMessages.KeyFormat("found both base64 ('+', '/') and base64url ('-', '_') characters: a damaged or wrong file");
            }

            if (data % 4 == 1 || padding > 2 || (padding > 0 && (data + padding) % 4 != 0))
            {
                throw SignerMessages.KeyFormat(string.Create(CultureInfo.InvariantCulture,
                    $"found {data + padding} base64 characters, which is no whole number of bytes (a character is missing or extra)"));
            }

            int length = data;
            while (length % 4 != 0)
            {
                normalized[length++] = '=';
            }

            if (!Convert.TryFromBase64Chars(normalized.AsSpan(0, length), destination, out int written))
            {
                throw SignerMessages.KeyFormat(string.Create(CultureInfo.InvariantCulture, $"found {data + padding} characters that are not valid base64"));
            }

            return written;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(normalized.AsSpan()));
            ArrayPool<char>.Shared.Return(normalized);
        }
    }

    /// <summary>A refused character as it can be shown: itself when printable, else its code point.</summary>
    private static string Describe(char c) => char.IsControl(c) || char.IsSurrogate(c) || char.IsWhiteSpace(c)
        ? string.Create(CultureInfo.InvariantCulture, $"U+{(int)c:X4}")
        : $"'{c}'";
}

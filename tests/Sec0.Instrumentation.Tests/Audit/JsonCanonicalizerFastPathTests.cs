using System.Buffers;
using System.Text;
using System.Text.Json;
using Sec0.Audit;

namespace Sec0.Instrumentation.Tests.Audit;

/// <summary>
/// The canonical writer copies the parser's raw bytes when they are already canonical (unescaped valid UTF-8
/// strings, names that sort alike as bytes and as UTF-16, short integer literals). These tests hold that path
/// to the string-based one, byte for byte, on generated JSON that mixes every case where the two could differ.
/// </summary>
public class JsonCanonicalizerFastPathTests
{
    // Characters chosen to hit each branch: ASCII, characters JSON must escape, 2- and 3-byte UTF-8 below
    // U+E000 (byte order = UTF-16 order), U+E000..U+FFFF and a surrogate pair (byte order != UTF-16 order).
    private static readonly string[] s_pieces = ["a", "b", "Z", "0", " ", "\"", "\\", "\n", "\u0001", "/", "ö", "€", "\uE000", "\uFB33", "\uFFFD", "😀", "𝄞"];

    [Fact]
    public void Raw_fast_path_writes_the_same_bytes_as_the_string_path_on_generated_json()
    {
        var random = new Random(8785);
        for (var i = 0; i < 3000; i++)
        {
            var json = new StringBuilder();
            WriteValue(random, json, depth: 0);
            var utf8 = Encoding.UTF8.GetBytes(json.ToString());
            using var document = JsonDocument.Parse(utf8);
            Assert.Equal(Canonical(document.RootElement, rawFastPath: false), Canonical(document.RootElement, rawFastPath: true));
        }
    }

    [Theory]
    [InlineData("{\"€\":1,\"ö\":2,\"a\":3}", "{\"a\":3,\"ö\":2,\"€\":1}")]
    [InlineData("{\"דּ\":2,\"😀\":1}", "{\"😀\":1,\"דּ\":2}")] // UTF-16 order: a surrogate (D83D) sorts before FB33, unlike UTF-8 bytes
    [InlineData("{\"\\u0062\":1,\"a\":2}", "{\"a\":2,\"b\":1}")]
    [InlineData("[\"a\\/b\",\"\\u00e9\",\"é\"]", "[\"a/b\",\"é\",\"é\"]")]
    [InlineData("[1,-1,0,-0,123456789012345,1234567890123456789,1.0,1e2,-0.0]", "[1,-1,0,0,123456789012345,1234567890123456800,1,100,0]")]
    public void Raw_input_in_every_shape_canonicalizes_as_jcs_requires(string input, string expected)
    {
        Assert.Equal(expected, Encoding.UTF8.GetString(JsonCanonicalizer.Canonicalize(Encoding.UTF8.GetBytes(input))));
    }

    [Fact]
    public void Duplicate_names_are_rejected_on_the_raw_path_too()
    {
        var ex = Assert.Throws<FormatException>(() => JsonCanonicalizer.Canonicalize("{\"b\":1,\"a\":2,\"b\":3}"u8));
        Assert.Contains("duplicate member \"b\"", ex.Message);
    }

    [Fact]
    public void A_string_with_invalid_utf8_is_not_copied_through()
    {
        // The parser only validates strings that contain escapes; the writer must not pass bad bytes on.
        byte[] json = [(byte)'[', (byte)'"', 0xFF, (byte)'"', (byte)']'];
        using var document = JsonDocument.Parse(json);
        Assert.StartsWith("FormatException: a string is not valid Unicode", Canonical(document.RootElement, rawFastPath: true));
    }

    [Fact]
    public void Strings_are_written_as_the_jcs_rules_say_around_the_vectorized_ascii_runs()
    {
        // Runs of printable ASCII are copied in bulk; everything else is escaped char by char. A per-char
        // statement of the rules is the reference, on strings that start, end and break runs at every kind of char.
        string[] pieces = ["a", "0123456789abcdef0123456789abcdef", " ", "~", "\u007f", "\"", "\\", "\n", "\b", "\u0000", "\u001f", "é", "€", "😀", "\ud800", "\udfff", "/"];
        var random = new Random(8259);
        for (var i = 0; i < 5000; i++)
        {
            var value = new StringBuilder();
            for (var p = random.Next(0, 9); p > 0; p--)
            {
                value.Append(pieces[random.Next(pieces.Length)]);
            }

            var buffer = new ArrayBufferWriter<byte>();
            JsonCanonicalizer.WriteString(value.ToString(), buffer);
            Assert.Equal(JcsString(value.ToString()), Encoding.UTF8.GetString(buffer.WrittenSpan));
        }
    }

    // ECMAScript JSON.stringify's escaping, with lone surrogates as U+FFFD (they cannot be written as UTF-8).
    private static string JcsString(string value)
    {
        var result = new StringBuilder("\"");
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            result.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\b' => "\\b",
                '\f' => "\\f",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' => $"\\u{(int)c:x4}",
                _ when char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]) => value.Substring(i++, 2),
                _ when char.IsSurrogate(c) => "\uFFFD",
                _ => c.ToString(),
            });
        }

        return result.Append('"').ToString();
    }

    private static string Canonical(JsonElement element, bool rawFastPath)
    {
        var buffer = new ArrayBufferWriter<byte>();
        try
        {
            JsonCanonicalizer.WriteElement(element, buffer, null, rawFastPath);
            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
        catch (FormatException ex)
        {
            return "FormatException: " + ex.Message;
        }
    }

    private static void WriteValue(Random random, StringBuilder json, int depth)
    {
        switch (random.Next(depth >= 4 ? 3 : 5))
        {
            case 0:
                WriteString(random, json);
                break;
            case 1:
                WriteNumber(random, json);
                break;
            case 2:
                json.Append(random.Next(3) switch { 0 => "true", 1 => "false", _ => "null" });
                break;
            case 3:
                json.Append('[');
                for (var i = random.Next(4); i > 0; i--)
                {
                    WriteValue(random, json, depth + 1);
                    json.Append(i > 1 ? "," : string.Empty);
                }

                json.Append(']');
                break;
            default:
                json.Append('{');
                for (var i = random.Next(6); i > 0; i--)
                {
                    WriteString(random, json);
                    json.Append(':');
                    WriteValue(random, json, depth + 1);
                    json.Append(i > 1 ? "," : string.Empty);
                }

                json.Append('}');
                break;
        }
    }

    private static void WriteString(Random random, StringBuilder json)
    {
        json.Append('"');
        for (var i = random.Next(4); i > 0; i--)
        {
            var piece = s_pieces[random.Next(s_pieces.Length)];

            // Characters JSON requires escaped always are; any other piece (a surrogate pair as a whole) is
            // escaped one time in four.
            var escape = random.Next(4) == 0;
            foreach (var c in piece)
            {
                if (escape || c is '"' or '\\' || c < 0x20)
                {
                    json.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                }
                else
                {
                    json.Append(c);
                }
            }
        }

        json.Append('"');
    }

    private static void WriteNumber(Random random, StringBuilder json)
    {
        json.Append(random.Next(8) switch
        {
            0 => "0",
            1 => "-0",
            2 => random.Next(-1000, 1000).ToString(System.Globalization.CultureInfo.InvariantCulture),
            3 => random.NextInt64(long.MinValue / 2, long.MaxValue / 2).ToString(System.Globalization.CultureInfo.InvariantCulture),
            4 => "999999999999999",
            5 => (random.NextDouble() * 1000).ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            6 => random.Next(1, 9) + "e" + random.Next(-30, 30),
            _ => "1.50",
        });
    }
}

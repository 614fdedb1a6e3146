using System.Text;
using Sec0.Audit;

namespace Sec0.Instrumentation.Tests.Audit;

public class JsonCanonicalizerTests
{
    private static string Canon(string json) => Encoding.UTF8.GetString(JsonCanonicalizer.Canonicalize(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void Rfc8785_sample_object_canonicalizes_as_the_rfc_shows()
    {
        // RFC 8785 section 3.2.2 example input and output.
        var input = "{\n  \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n  \"literals\": [null, true, false]\n}";
        var expected = "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
        Assert.Equal(expected, Canon(input));
    }

    [Fact]
    public void Members_sort_by_utf16_code_units_recursively()
    {
        // RFC 8785 section 3.2.3 sorting example.
        var input = "{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\",\"\\ufb33\":\"Hebrew Letter Dalet With Dagesh\",\"1\":\"One\",\"\\ud83d\\ude00\":\"Emoji: Grinning Face\",\"\\u0080\":\"Control\",\"\\u00f6\":\"Latin Small Letter O With Diaeresis\"}";
        var canon = Canon(input);
        var order = new[] { "\\r", "1", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33" };
        var last = -1;
        foreach (var key in order)
        {
            var at = canon.IndexOf("\"" + key + "\":", StringComparison.Ordinal);
            Assert.True(at > last, $"{key} out of order in {canon}");
            last = at;
        }

        Assert.Equal("{\"a\":{\"x\":1,\"y\":[{\"b\":2,\"c\":1}]},\"b\":0}", Canon("{\"b\":0,\"a\":{\"y\":[{\"c\":1,\"b\":2}],\"x\":1}}"));
    }

    [Theory]
    [InlineData("0", "0")]
    [InlineData("-0", "0")]
    [InlineData("1", "1")]
    [InlineData("-1.5", "-1.5")]
    [InlineData("0.1", "0.1")]
    [InlineData("1e-7", "1e-7")]
    [InlineData("0.000001", "0.000001")]
    [InlineData("1e21", "1e+21")]
    [InlineData("1e20", "100000000000000000000")]
    [InlineData("123456789012345680000", "123456789012345680000")]
    [InlineData("9007199254740992", "9007199254740992")]
    [InlineData("9007199254740993", "9007199254740992")]
    [InlineData("5e-324", "5e-324")]
    [InlineData("1.7976931348623157e308", "1.7976931348623157e+308")]
    [InlineData("-1.7976931348623157e308", "-1.7976931348623157e+308")]
    [InlineData("0.30000000000000004", "0.30000000000000004")]
    [InlineData("12.5e3", "12500")]
    [InlineData("1.25e-5", "0.0000125")]
    [InlineData("2.5e-7", "2.5e-7")]
    [InlineData("4.35", "4.35")]
    public void Numbers_use_the_ecmascript_form(string input, string expected)
    {
        Assert.Equal(expected, Canon(input));
    }

    [Fact]
    public void Strings_escape_only_what_json_stringify_escapes()
    {
        Assert.Equal("\"\\b\\f\\n\\r\\t\\u0001\\u001f\\\"\\\\/<>&\u2028é😀\"", Canon("\"\\b\\f\\n\\r\\t\\u0001\\u001F\\\"\\\\\\/<>&\\u2028\\u00e9\\ud83d\\ude00\""));
    }

    [Fact]
    public void Whitespace_and_member_order_do_not_change_the_canonical_bytes()
    {
        Assert.Equal(Canon("{\"b\":[1, 2 ,3],\"a\":\"x\"}"), Canon(" {\n\t\"a\" : \"x\",\r\n \"b\":[1,2,3]} "));
    }

    [Fact]
    public void Duplicate_members_are_rejected()
    {
        Assert.Throws<FormatException>(() => Canon("{\"a\":1,\"a\":2}"));
        Assert.Throws<FormatException>(() => Canon("{\"a\":1"));
    }

    [Theory]
    [InlineData("[1e400]", "the number 1e400 is outside the range of a double")]
    [InlineData("{\"a\":{\"b\":-2E+999}}", "the number -2E+999 is outside the range of a double")]
    [InlineData("[\"x\\ud800\"]", "a string is not valid Unicode (an unpaired surrogate escape")]
    [InlineData("{\"\\udc00\":1}", "a string is not valid Unicode (an unpaired surrogate escape")]
    [InlineData("{\"a\":[{\"b\":1,\"b\":2}]}", "duplicate member \"b\"")]
    public void What_canonical_json_cannot_hold_is_a_format_exception_that_says_what(string input, string message)
    {
        // Callers catch FormatException to deny or fall back; nothing else may escape, and the text names the value.
        var ex = Assert.Throws<FormatException>(() => Canon(input));
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void Excluding_a_top_level_member_leaves_nested_ones()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        JsonCanonicalizer.Canonicalize("{\"sig\":\"x\",\"n\":{\"sig\":1}}"u8, buffer, "sig");
        Assert.Equal("{\"n\":{\"sig\":1}}", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}

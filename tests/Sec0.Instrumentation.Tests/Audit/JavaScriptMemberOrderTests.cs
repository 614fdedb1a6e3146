using System.Buffers;
using System.Text;
using System.Text.Json;
using Sec0.Audit;
using Sec0.Signing;

namespace Sec0.Instrumentation.Tests.Audit;

/// <summary>
/// <see cref="JsonMemberOrder.JavaScript"/>: the bytes Sec0's TypeScript SDK signs (JSON.stringify of a
/// key-sorted copy), which differ from RFC 8785 only in putting array-index names first, by value.
/// </summary>
public class JavaScriptMemberOrderTests
{
    private static string Canon(string json, JsonMemberOrder order, bool rawFastPath = true, string? exclude = null)
    {
        using var document = JsonDocument.Parse(json);
        var buffer = new ArrayBufferWriter<byte>();
        JsonCanonicalizer.WriteElement(document.RootElement, buffer, exclude, order, rawFastPath);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    // The names Node put first (run in the research notes): canonical decimal integers 0..4294967294, by value.
    private const string Scrambled = "{\"b\":1,\"4294967295\":1,\"10\":1,\"A\":1,\"01\":1,\"2\":1,\"-1\":1,\"4294967294\":1,\"1.5\":1,\"0\":1}";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Array_index_names_come_first_by_value_then_the_rest_by_utf16_code_units(bool rawFastPath)
    {
        Assert.Equal(
            "{\"0\":1,\"2\":1,\"10\":1,\"4294967294\":1,\"-1\":1,\"01\":1,\"1.5\":1,\"4294967295\":1,\"A\":1,\"b\":1}",
            Canon(Scrambled, JsonMemberOrder.JavaScript, rawFastPath));
    }

    [Fact]
    public void Rfc8785_order_is_unchanged_for_the_same_names()
    {
        Assert.Equal(
            "{\"-1\":1,\"0\":1,\"01\":1,\"1.5\":1,\"10\":1,\"2\":1,\"4294967294\":1,\"4294967295\":1,\"A\":1,\"b\":1}",
            Canon(Scrambled, JsonMemberOrder.Rfc8785));
    }

    [Fact]
    public void Escaped_names_and_nested_objects_in_arrays_are_ordered_the_same_way()
    {
        // "\u0031\u0030" is "10": an escaped name takes the string path, and must sort like the raw one.
        Assert.Equal(
            "{\"2\":[{\"3\":true,\"a\":null}],\"10\":1,\"x\":{\"7\":0,\"y\":\"é\"}}",
            Canon("{\"x\":{\"y\":\"\\u00e9\",\"7\":0},\"\\u0031\\u0030\":1,\"2\":[{\"a\":null,\"3\":true}]}", JsonMemberOrder.JavaScript));
    }

    [Fact]
    public void The_worked_example_gives_exactly_the_bytes_the_typescript_sdk_signed()
    {
        var line = TypeScriptSdkFixtures.Lines("appender-fixed-seed.ndjson").Single();

        Assert.Equal(TypeScriptSdkFixtures.WorkedExampleSignedBytes, Canon(line, JsonMemberOrder.JavaScript, exclude: "sig"));

        // RFC 8785 puts "10" before "2": other bytes, so a JCS verifier rejects this genuine line.
        Assert.NotEqual(TypeScriptSdkFixtures.WorkedExampleSignedBytes, Canon(line, JsonMemberOrder.Rfc8785, exclude: "sig"));
    }

    [Fact]
    public void Signing_the_worked_example_with_its_seed_gives_exactly_the_signature_the_sdk_wrote()
    {
        using var signer = new Ed25519Signer(Convert.FromBase64String(TypeScriptSdkFixtures.FixedSeedKeyFile));
        var signature = new byte[signer.SignatureSize];
        signer.Sign(Encoding.UTF8.GetBytes(TypeScriptSdkFixtures.WorkedExampleSignedBytes), signature);

        Assert.Equal(TypeScriptSdkFixtures.WorkedExampleSignature, Convert.ToBase64String(signature));
        Assert.Equal(TypeScriptSdkFixtures.FixedSeedPublicKey, Convert.ToBase64String(signer.PublicKey.Span));
    }

    [Theory]
    [InlineData("{\"__proto__\":{\"a\":1},\"b\":2}")]
    [InlineData("{\"b\":{\"__proto__\":1}}")]
    [InlineData("{\"b\":{\"\\u005f_proto__\":1}}")]
    public void A_proto_member_is_refused_because_the_typescript_sdk_leaves_it_out_of_what_it_signs(string json)
    {
        var error = Assert.Throws<FormatException>(() => Canon(json, JsonMemberOrder.JavaScript));
        Assert.Contains("__proto__", error.Message, StringComparison.Ordinal);

        // RFC 8785 has no such rule: the member is an ordinary one there.
        Assert.Contains("__proto__", Canon(json, JsonMemberOrder.Rfc8785), StringComparison.Ordinal);
    }
}

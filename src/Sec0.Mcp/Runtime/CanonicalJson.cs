using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using ModelContextProtocol;
using Sec0.Audit;

namespace Sec0.Mcp;

/// <summary>Canonical JSON (RFC 8785) of call arguments and results: the bytes that are measured and hashed.</summary>
internal static class CanonicalJson
{
    private static readonly byte[] s_emptyObject = "{}"u8.ToArray();

    /// <summary>The canonical bytes of a tool call's arguments; <c>{}</c> when there are none.</summary>
    public static byte[] OfArguments(IDictionary<string, JsonElement>? arguments)
    {
        if (arguments is null || arguments.Count == 0)
        {
            return s_emptyObject;
        }

        var raw = JsonSerializer.SerializeToUtf8Bytes(arguments, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, JsonElement>)));
        return JsonCanonicalizer.Canonicalize(raw);
    }

    /// <summary>The canonical bytes of any value the SDK can serialize (a <c>CallToolResult</c>, say).</summary>
    public static byte[] Of<T>(T value)
    {
        var raw = JsonSerializer.SerializeToUtf8Bytes(value, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(T)));
        return JsonCanonicalizer.Canonicalize(raw);
    }

    /// <summary>Lowercase hex SHA-256 of <paramref name="bytes"/>.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}

using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Sec0.Audit;

namespace Sec0.Mcp;

/// <summary>
/// SHA-256 over the RFC 8785 canonical JSON of a tool definition as the SDK serializes it, so two definitions
/// hash alike exactly when they advertise the same thing, whatever the property order.
/// </summary>
internal static class ToolDefinitionHasher
{
    /// <summary>The hash of the whole definition, <c>sha256:&lt;hex&gt;</c>.</summary>
    public static string Hash(Tool tool) => HashCore(tool, includeOutputSchema: true);

    /// <summary>
    /// The hash without <c>outputSchema</c>: the SDK reshapes output schemas for older protocol versions when it
    /// lists tools, so listed definitions are compared on everything else.
    /// </summary>
    public static string HashWithoutOutputSchema(Tool tool) => HashCore(tool, includeOutputSchema: false);

    /// <summary>The definition as the SDK serializes it (not canonical): for a fast equality check.</summary>
    public static byte[] Serialize(Tool tool) =>
        JsonSerializer.SerializeToUtf8Bytes(tool, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(Tool)));

    private static string HashCore(Tool tool, bool includeOutputSchema)
    {
        var json = JsonSerializer.SerializeToElement(tool, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(Tool)));
        var buffer = new ArrayBufferWriter<byte>(512);
        JsonCanonicalizer.WriteElement(json, buffer, includeOutputSchema ? null : "outputSchema");
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }
}

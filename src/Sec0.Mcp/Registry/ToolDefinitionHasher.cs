using System.Buffers;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Sec0.Audit;

namespace Sec0.Mcp;

/// <summary>
/// SHA-256 over the RFC 8785 canonical JSON of a tool definition as the SDK serializes it, so two definitions
/// hash alike exactly when they advertise the same thing, whatever the property order. A definition canonical JSON
/// cannot express (a schema with a repeated member, say) is hashed over the SDK's serialization instead: it can
/// then never match a canonical pin, so it reads as changed rather than breaking <c>tools/list</c> or the call check.
/// </summary>
internal static class ToolDefinitionHasher
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

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

    /// <summary>True when <paramref name="tool"/> serializes to exactly <paramref name="expected"/> (no allocation per call).</summary>
    public static bool SerializesTo(Tool tool, ReadOnlySpan<byte> expected)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var writer = t_writer;
        if (writer is null)
        {
            var options = McpJsonUtilities.DefaultOptions;
            // The writer options SerializeToUtf8Bytes would use, so an unchanged definition gives the pinned bytes.
            writer = t_writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = options.Encoder, Indented = options.WriteIndented, MaxDepth = options.MaxDepth, SkipValidation = true });
        }
        else
        {
            writer.Reset(buffer);
        }

        try
        {
            JsonSerializer.Serialize(writer, tool, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(Tool)));
            writer.Flush();
            return buffer.WrittenSpan.SequenceEqual(expected);
        }
        finally
        {
            writer.Reset(Stream.Null);
            if (buffer.Capacity > 256 * 1024)
            {
                t_buffer = null;
            }
        }
    }

    private static string HashCore(Tool tool, bool includeOutputSchema)
    {
        var json = JsonSerializer.SerializeToElement(tool, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(Tool)));
        var buffer = new ArrayBufferWriter<byte>(512);
        try
        {
            JsonCanonicalizer.WriteElement(json, buffer, includeOutputSchema ? null : "outputSchema");
        }
        catch (FormatException)
        {
            return "sha256:" + Sha256Hex.Of(Serialize(tool));
        }

        return "sha256:" + Sha256Hex.Of(buffer.WrittenSpan);
    }
}

using System.Buffers;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Sec0.Audit;

namespace Sec0.Mcp;

/// <summary>Canonical JSON (RFC 8785) of call arguments and results: the bytes that are measured and hashed.</summary>
/// <remarks>
/// Per-thread scratch buffers keep the per-call path free of intermediate copies: arguments are already parsed
/// <see cref="JsonElement"/>s, so they are written canonically without a serialize→parse round trip.
/// </remarks>
internal static class CanonicalJson
{
    private static readonly byte[] s_emptyObject = "{}"u8.ToArray();
    private const int MaxRetainedBytes = 256 * 1024;
    private static readonly JsonDocumentOptions s_parseOptions = new() { MaxDepth = 64 };

    // After s_parseOptions: the check runs both writers.
    private static readonly bool s_directResultAgrees = DirectResultAgrees();

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_raw;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_canonical;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>The canonical bytes of a tool call's arguments; <c>{}</c> when there are none.</summary>
    /// <remarks>
    /// The same bytes as serializing the dictionary and canonicalizing the result: the members are sorted by
    /// UTF-16 code units and each value is written from its parsed <see cref="JsonElement"/> in canonical form.
    /// </remarks>
    /// <exception cref="FormatException">
    /// An argument canonical JSON cannot hold (a duplicate member, a number outside double range); the message
    /// names the argument, e.g. <c>argument "filter": duplicate member "id"</c>.
    /// </exception>
    public static byte[] OfArguments(IDictionary<string, JsonElement>? arguments)
    {
        if (arguments is null || arguments.Count == 0)
        {
            return s_emptyObject;
        }

        var members = new KeyValuePair<string, JsonElement>[arguments.Count];
        arguments.CopyTo(members, 0);
        if (members.Length > 1)
        {
            Array.Sort(members, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        }

        var output = Canonical();
        output.Write("{"u8);
        for (var i = 0; i < members.Length; i++)
        {
            if (i > 0)
            {
                if (string.Equals(members[i - 1].Key, members[i].Key, StringComparison.Ordinal))
                {
                    throw new FormatException($"duplicate argument \"{members[i].Key}\"");
                }

                output.Write(","u8);
            }

            JsonCanonicalizer.WriteString(members[i].Key, output);
            output.Write(":"u8);
            try
            {
                JsonCanonicalizer.WriteElement(members[i].Value, output);
            }
            catch (FormatException ex)
            {
                throw new FormatException($"argument \"{members[i].Key}\": {ex.Message}", ex);
            }
        }

        output.Write("}"u8);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>The canonical bytes of a tool's result.</summary>
    /// <remarks>
    /// The common result — text blocks only, no structured content, annotations or <c>_meta</c> — is written
    /// straight from the objects (≈ 0.1 µs instead of ≈ 1.4 µs to serialize, parse and canonicalize). The bytes
    /// are the same as <see cref="Of{T}(T)"/>'s: the two paths are compared on probe results once per process
    /// and the direct one is only used when they agree; anything else takes the general path.
    /// </remarks>
    public static byte[] OfResult(CallToolResult result)
    {
        if (s_directResultAgrees && IsTextOnly(result))
        {
            var output = Canonical();
            WriteTextOnly(result, output);
            return output.WrittenSpan.ToArray();
        }

        return Of(result);
    }

    /// <summary>False when the direct writer disagreed with the general path at start-up (an SDK change) and is off.</summary>
    internal static bool DirectResultWriterInUse => s_directResultAgrees;

    /// <summary>True when <see cref="WriteTextOnly"/> can write <paramref name="result"/>: every member it does not write is unset.</summary>
    internal static bool IsTextOnly(CallToolResult result)
    {
        // Exact types: both are sealed today; a subclass in a later SDK could add members.
        if (result.GetType() != typeof(CallToolResult) || result.StructuredContent is not null || result.Meta is not null
            || result.ResultType is not null || result.Content is not { } content)
        {
            return false;
        }

        for (var i = 0; i < content.Count; i++)
        {
            if (content[i] is not TextContentBlock { Text: not null, Annotations: null, Meta: null } block || block.GetType() != typeof(TextContentBlock))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes a result <see cref="IsTextOnly"/> accepts: members in canonical order, <c>content</c> before <c>isError</c>, <c>text</c> before <c>type</c>.</summary>
    internal static void WriteTextOnly(CallToolResult result, IBufferWriter<byte> output)
    {
        output.Write("{\"content\":["u8);
        var content = result.Content;
        for (var i = 0; i < content.Count; i++)
        {
            output.Write(i == 0 ? "{\"text\":"u8 : ",{\"text\":"u8);
            JsonCanonicalizer.WriteString(((TextContentBlock)content[i]).Text, output);
            output.Write(",\"type\":\"text\"}"u8);
        }

        output.Write(result.IsError switch
        {
            true => "],\"isError\":true}"u8,
            false => "],\"isError\":false}"u8,
            null => "]}"u8,
        });
    }

    private static bool DirectResultAgrees()
    {
        // Probes cover what the direct writer decides itself: member order, escapes, isError's three states.
        CallToolResult[] probes =
        [
            new() { Content = [] },
            new() { Content = [new TextContentBlock { Text = "plain" }], IsError = false },
            new() { Content = [new TextContentBlock { Text = "q\"b\\n\n\u0001\u007f é€😀 \ud800" }, new TextContentBlock { Text = "" }], IsError = true },
        ];
        var output = new ArrayBufferWriter<byte>(256);
        try
        {
            foreach (var probe in probes)
            {
                output.ResetWrittenCount();
                WriteTextOnly(probe, output);
                if (!output.WrittenSpan.SequenceEqual(CanonicalSpan(probe)))
                {
                    return false;
                }
            }
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or NotSupportedException)
        {
            // A check that cannot run must not break the type: the general path stays in use.
            return false;
        }

        return true;
    }

    /// <summary>The canonical bytes of any value the SDK can serialize (a <c>CallToolResult</c>, say).</summary>
    public static byte[] Of<T>(T value) => CanonicalSpan(value).ToArray();

    /// <summary>The bytes the SDK serializes <paramref name="value"/> to (not canonical).</summary>
    public static byte[] Serialized<T>(T value) =>
        JsonSerializer.SerializeToUtf8Bytes(value, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(T)));


    /// <summary>The canonical bytes in this thread's scratch buffer: valid until the next call on the thread.</summary>
    private static ReadOnlySpan<byte> CanonicalSpan<T>(T value)
    {
        var raw = t_raw ??= new ArrayBufferWriter<byte>(1024);
        raw.ResetWrittenCount();
        var writer = t_writer;
        if (writer is null)
        {
            writer = t_writer = new Utf8JsonWriter(raw, new JsonWriterOptions { SkipValidation = true });
        }
        else
        {
            writer.Reset(raw);
        }

        JsonSerializer.Serialize(writer, value, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(T)));
        writer.Flush();
        var output = Canonical();
        try
        {
            using var document = JsonDocument.Parse(raw.WrittenMemory, s_parseOptions);
            JsonCanonicalizer.WriteElement(document.RootElement, output);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"Not valid JSON: {ex.Message}", ex);
        }
        finally
        {
            writer.Reset(Stream.Null);
            if (raw.Capacity > MaxRetainedBytes)
            {
                t_raw = null;
            }
        }

        return output.WrittenSpan;
    }

    private static ArrayBufferWriter<byte> Canonical()
    {
        var output = t_canonical;
        if (output is null || output.Capacity > MaxRetainedBytes)
        {
            // A rare huge payload does not pin its buffer to the thread for good.
            output = t_canonical = new ArrayBufferWriter<byte>(1024);
        }

        output.ResetWrittenCount();
        return output;
    }
}

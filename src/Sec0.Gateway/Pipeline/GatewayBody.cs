using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Sec0.Audit;

namespace Sec0.Gateway.Pipeline;

/// <summary>
/// The request body: at most the configured size (checked on <c>Content-Length</c> and again while reading, for
/// chunked bodies), a JSON object of tool arguments or nothing, and its canonical JSON, which is what is hashed,
/// measured and compared for idempotency.
/// </summary>
/// <param name="Arguments">The parsed arguments.</param>
/// <param name="Canonical">Their canonical JSON; null when canonical JSON cannot hold them (<see cref="Problem"/> says why).</param>
/// <param name="Problem">Why the arguments are malformed input.</param>
/// <param name="Received">For malformed input only: the bytes as received, which <c>input_sha256</c> then fingerprints.</param>
/// <param name="Length">The body's size in bytes.</param>
/// <param name="Error">Why the body is refused outright.</param>
internal readonly record struct GatewayBody(JsonDocument? Arguments, byte[]? Canonical, string? Problem, byte[]? Received, long Length, GatewayError? Error)
{
    // The arguments are forwarded inside a JSON-RPC request (params.arguments), two levels deeper, and the MCP
    // client writes at most System.Text.Json's default 64: deeper arguments could be accepted but never forwarded.
    internal const int MaxDepth = 62;
    private static readonly JsonDocumentOptions s_parseOptions = new() { MaxDepth = MaxDepth };
    private static readonly byte[] s_emptyObject = "{}"u8.ToArray();

    /// <summary>A body that is not JSON: 415. A missing content type is taken as JSON (curl -d sends a form type, so that is refused with a hint).</summary>
    public static GatewayError? ReadContentTypeError(HttpRequest request)
    {
        var type = request.ContentType;
        if (string.IsNullOrEmpty(type) || request.ContentLength == 0)
        {
            return null;
        }

        var semicolon = type.IndexOf(';');
        var media = (semicolon < 0 ? type : type[..semicolon]).Trim();
        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
            ? null
            : GatewayError.UnsupportedMediaType(media);
    }

    public static async ValueTask<GatewayBody> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } declared && declared > maxBytes)
        {
            return new GatewayBody(null, null, null, null, declared, GatewayError.PayloadTooLarge(maxBytes));
        }

        // The server's own limit must not be hit first (its 30 MB default, or below ours): this check answers with the gateway's error.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes + 1;
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(request.ContentLength ?? 4096, 256), maxBytes + 1));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > maxBytes)
                    {
                        return new GatewayBody(null, null, null, null, length, GatewayError.PayloadTooLarge(maxBytes));
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, maxBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                int read;
                try
                {
                    read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                }
                catch (BadHttpRequestException ex)
                {
                    // The server refused the body itself (its size limit, a broken chunk): a 4xx, never a 500.
                    return new GatewayBody(null, null, null, null, length, ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                        ? GatewayError.PayloadTooLarge(maxBytes)
                        : GatewayError.MalformedBody("the body could not be read (" + ex.Message + ")"));
                }
                catch (IOException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    // Kestrel reports some broken framing as an IOException (a chunk size that overflows: "Bad chunk size data").
                    return new GatewayBody(null, null, null, null, length, GatewayError.MalformedBody("the body could not be read (" + ex.Message + ")"));
                }

                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > maxBytes)
                {
                    return new GatewayBody(null, null, null, null, length, GatewayError.PayloadTooLarge(maxBytes));
                }
            }

            return Parse(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Parses arguments: empty or whitespace is <c>{}</c>; anything but one JSON object is a 400.</summary>
    internal static GatewayBody Parse(ReadOnlySpan<byte> bytes)
    {
        var length = bytes.Length;
        if (bytes.Trim(" \t\r\n"u8).IsEmpty)
        {
            return new GatewayBody(JsonDocument.Parse(s_emptyObject), s_emptyObject, null, null, length, null);
        }

        JsonDocument document;
        var received = bytes.ToArray();
        try
        {
            document = JsonDocument.Parse(received, s_parseOptions);
        }
        catch (JsonException ex)
        {
            return new GatewayBody(null, null, null, null, length, GatewayError.MalformedBody("not valid JSON (" + Where(ex) + ")"));
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            var kind = document.RootElement.ValueKind.ToString().ToLowerInvariant();
            document.Dispose();
            return new GatewayBody(null, null, null, null, length, GatewayError.MalformedBody("it is a JSON " + kind));
        }

        try
        {
            var canonical = new ArrayBufferWriter<byte>(length + 16);
            JsonCanonicalizer.WriteElement(document.RootElement, canonical);
            return new GatewayBody(document, canonical.WrittenSpan.ToArray(), null, null, length, null);
        }
        catch (FormatException ex)
        {
            // Valid JSON that canonical JSON cannot hold (a duplicate member, a number beyond double): decided as
            // malformed_input, which denies in every mode.
            return new GatewayBody(document, null, ex.Message, received, length, null);
        }
    }

    /// <summary>True when an MCP tool result says <c>"isError": true</c> (the tool ran and failed: status error, HTTP 200).</summary>
    public static bool IsToolError(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isError = reader.ValueTextEquals("isError"u8);
                reader.Read();
                if (isError)
                {
                    return reader.TokenType == JsonTokenType.True;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return false;
    }

    private static string Where(JsonException ex)
        => ex.LineNumber is { } line ? $"line {line + 1}, byte {ex.BytePositionInLine + 1}" : "at the start";
}

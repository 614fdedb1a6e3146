using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Sec0.Gateway.Upstreams;

/// <summary>
/// A Sec0 TS-style tool server: <c>POST {url}/invoke/{tool@version}</c> (URL-encoded) with the arguments as the
/// JSON body and the caller's idempotency key, <c>traceparent</c> and forwarded headers. A 2xx JSON answer is
/// returned as is, any other 2xx answer as <c>{"raw": text}</c>; 503 is <see cref="UpstreamOutcome.Unavailable"/>,
/// any other status an <see cref="UpstreamOutcome.Error"/> keeping the status and the upstream's
/// <c>error</c>/<c>message</c>. Nothing is retried.
/// </summary>
public sealed class LegacyHttpUpstream : IGatewayUpstream
{
    /// <summary>The largest upstream answer read (16 MiB); a bigger one is an error, not a truncated answer.</summary>
    public const int DefaultMaxResponseBytes = 16 * 1024 * 1024;

    // One pooled handler for every legacy target: connections are per host anyway, and sockets are not wasted
    // per target. No redirects (forwarded headers must not follow them elsewhere), no HttpClient timeout (the
    // call's token is the deadline).
    private static readonly HttpClient SharedClient = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json") { CharSet = "utf-8" };

    private readonly string _server;
    private readonly string _baseUrl;
    private readonly int _maxResponseBytes;

    /// <summary>Creates the upstream.</summary>
    /// <param name="server">The target's name (<c>gateway.targets.&lt;server&gt;</c>), used in messages.</param>
    /// <param name="baseUrl">The server's base URL, an absolute http(s) URL.</param>
    public LegacyHttpUpstream(string server, Uri baseUrl)
        : this(server, baseUrl, DefaultMaxResponseBytes)
    {
    }

    internal LegacyHttpUpstream(string server, Uri baseUrl, int maxResponseBytes)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxResponseBytes, 1);
        _server = server;
        _baseUrl = baseUrl.AbsoluteUri.TrimEnd('/');
        _maxResponseBytes = maxResponseBytes;
    }

    /// <inheritdoc/>
    public async ValueTask<UpstreamResult> CallToolAsync(UpstreamCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var uri = new Uri($"{_baseUrl}/invoke/{Uri.EscapeDataString($"{call.Tool}@{call.Version}")}");
        var body = call.Arguments.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null
            ? "{}"u8.ToArray()
            : JsonSerializer.SerializeToUtf8Bytes(call.Arguments);

        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = JsonContentType;
        UpstreamHeaders.Apply(request.Headers, call);

        HttpResponseMessage response;
        try
        {
            response = await SharedClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            // Not our token: the handler's connect timeout.
            return UpstreamFailures.Unreachable(_server, "connect timed out");
        }
        catch (HttpRequestException exception)
        {
            return UpstreamFailures.Unreachable(_server, UpstreamFailures.IsConnectionFailure(exception, out var reason) ? reason : "the request failed");
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            byte[]? content;
            try
            {
                content = await ReadCappedAsync(response.Content, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException or OperationCanceledException)
            {
                return UpstreamFailures.Unreachable(_server, "the connection closed while reading the answer");
            }

            if (content is null)
            {
                return UpstreamFailures.Error(_server, "upstream response too large", status);
            }

            if (response.IsSuccessStatusCode)
            {
                return UpstreamResult.Ok(IsJson(content) ? content : RawJson(content), status);
            }

            var message = ErrorMessage(content) ?? $"upstream answered HTTP {status}";
            return status == 503
                ? UpstreamFailures.Unavailable(_server, message, status)
                : UpstreamFailures.Error(_server, message, status);
        }
    }

    /// <summary>Nothing to release: the HTTP connections are shared by every legacy target.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>The whole body, or null when it is bigger than the cap (read no further than the cap).</summary>
    private async Task<byte[]?> ReadCappedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > _maxResponseBytes)
        {
            return null;
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            // Sized by Content-Length when there is one, so a typical answer is read into its final array with no
            // intermediate copies; a pooled buffer grows for chunked answers.
            if (content.Headers.ContentLength is { } length)
            {
                var exact = new byte[length];
                var filled = 0;
                while (filled < exact.Length)
                {
                    var n = await stream.ReadAsync(exact.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                    if (n == 0)
                    {
                        throw new IOException("the answer ended before its Content-Length");
                    }

                    filled += n;
                }

                return exact;
            }

            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(4096);
            var used = 0;
            try
            {
                int read;
                while ((read = await stream.ReadAsync(buffer.AsMemory(used), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    used += read;
                    if (used > _maxResponseBytes)
                    {
                        return null;
                    }

                    if (used == buffer.Length)
                    {
                        var bigger = System.Buffers.ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, used).CopyTo(bigger);
                        System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }
                }

                return buffer.AsSpan(0, used).ToArray();
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private static bool IsJson(byte[] content)
    {
        if (content.Length == 0)
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(content);
            return reader.Read() && SkipAll(ref reader);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool SkipAll(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return !reader.Read();
    }

    private static byte[] RawJson(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("raw", Encoding.UTF8.GetString(content));
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The upstream's <c>error</c> and <c>message</c> when its error body is a JSON object.</summary>
    private static string? ErrorMessage(byte[] content)
    {
        if (!IsJson(content))
        {
            return null;
        }

        using var document = JsonDocument.Parse(content);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var error = document.RootElement.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        var message = document.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        return (error, message) switch
        {
            (null, null) => null,
            (null, _) => message,
            (_, null) => error,
            _ => $"{error}: {message}",
        };
    }
}

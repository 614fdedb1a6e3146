using System.Text;

namespace Sec0.Gateway.Tests.Fuzz;

/// <summary>How a fuzz request's body is framed.</summary>
internal enum FuzzFraming
{
    /// <summary>Content-Length: the body's length (or <see cref="FuzzRequest.DeclaredLength"/>).</summary>
    ContentLength,

    /// <summary>Transfer-Encoding: chunked, in chunks of random sizes.</summary>
    Chunked,

    /// <summary>No framing header and no body.</summary>
    None,

    /// <summary>The framing headers are among <see cref="FuzzRequest.RawHeaderLines"/> and the body bytes are sent as they are.</summary>
    Custom,
}

/// <summary>
/// One fuzz request. Header values are strings of Latin-1 characters, so that sent raw each character is one byte
/// (UTF-8 text is stored already encoded, one char per byte).
/// </summary>
internal sealed class FuzzRequest
{
    public const string ValidTarget = "/mcp/tools/echo@1.0.0";

    public required int Index { get; init; }

    public string Kind { get; set; } = "valid";

    public string Description { get; set; } = string.Empty;

    public string Method { get; set; } = "POST";

    public string Target { get; set; } = ValidTarget;

    public List<(string Name, string Value)> Headers { get; } = [];

    /// <summary>Header lines sent as they are (raw only): broken names, folding, framing conflicts.</summary>
    public List<byte[]> RawHeaderLines { get; } = [];

    public string? ContentType { get; set; } = "application/json";

    public byte[] Body { get; set; } = "{}"u8.ToArray();

    public FuzzFraming Framing { get; set; } = FuzzFraming.ContentLength;

    /// <summary>A Content-Length other than the body's (larger: the body is cut short and the connection half-closed).</summary>
    public long? DeclaredLength { get; set; }

    public bool SendHost { get; set; } = true;

    public bool HalfClose { get; set; }

    /// <summary>True when only a raw socket can send this request.</summary>
    public bool RequiresRaw { get; set; }

    /// <summary>Chunk sizes for <see cref="FuzzFraming.Chunked"/>, drawn when the case is made.</summary>
    public int ChunkSeed { get; set; }

    public void SetHeader(string name, string value)
    {
        Headers.RemoveAll(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase));
        Headers.Add((name, value));
    }

    /// <summary>True when HttpClient can send this request as it is.</summary>
    public bool HttpClientCanSend(Uri baseUri)
    {
        if (RequiresRaw || HalfClose || DeclaredLength is not null || Framing == FuzzFraming.Custom || !SendHost || RawHeaderLines.Count > 0)
        {
            return false;
        }

        if (Method is not ("POST" or "GET" or "PUT" or "DELETE" or "PATCH" or "OPTIONS" or "HEAD"))
        {
            return false;
        }

        if (!Target.StartsWith('/') || Target.StartsWith("//", StringComparison.Ordinal) || Target.Any(c => c <= ' ' || c >= '\u007f' || c is '\\' or '#')
            || !Uri.TryCreate(baseUri, Target, out var uri) || uri.PathAndQuery != Target)
        {
            // Uri would rewrite it ('..', escapes, backslashes): only a raw socket sends it exactly.
            return false;
        }

        foreach (var (name, value) in Headers)
        {
            if (name.Any(c => c <= ' ' || c >= '\u007f') || value.Any(c => c < ' ' || c >= '\u007f'))
            {
                return false;
            }
        }

        return ContentType is null || ContentType.All(c => c >= ' ' && c < '\u007f');
    }

    public HttpRequestMessage ToHttpRequestMessage()
    {
        var request = new HttpRequestMessage(new HttpMethod(Method), Target.TrimStart('/'));
        foreach (var (name, value) in Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                throw new InvalidOperationException($"HttpClient refused the header {name}.");
            }
        }

        if (Framing != FuzzFraming.None)
        {
            HttpContent content = Framing == FuzzFraming.Chunked
                ? new StreamContent(new MemoryStream(Body))
                : new ByteArrayContent(Body);
            if (ContentType is not null && !content.Headers.TryAddWithoutValidation("Content-Type", ContentType))
            {
                throw new InvalidOperationException("HttpClient refused the content type.");
            }

            request.Content = content;
            if (Framing == FuzzFraming.Chunked)
            {
                request.Headers.TransferEncodingChunked = true;
            }
            else
            {
                content.Headers.ContentLength = Body.Length;
            }
        }

        return request;
    }

    public byte[] ToRawBytes(int port)
    {
        var head = new StringBuilder();
        head.Append(Method).Append(' ').Append(Target).Append(" HTTP/1.1\r\n");
        if (SendHost)
        {
            head.Append("Host: 127.0.0.1:").Append(port).Append("\r\n");
        }

        head.Append("Connection: close\r\n");
        foreach (var (name, value) in Headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        if (ContentType is not null && Framing != FuzzFraming.None)
        {
            head.Append("Content-Type: ").Append(ContentType).Append("\r\n");
        }

        var output = new MemoryStream();
        output.Write(Encoding.Latin1.GetBytes(head.ToString()));
        foreach (var line in RawHeaderLines)
        {
            output.Write(line);
            output.Write("\r\n"u8);
        }

        switch (Framing)
        {
            case FuzzFraming.ContentLength:
                output.Write(Encoding.ASCII.GetBytes($"Content-Length: {DeclaredLength ?? Body.Length}\r\n\r\n"));
                output.Write(Body);
                break;
            case FuzzFraming.Chunked:
                output.Write("Transfer-Encoding: chunked\r\n\r\n"u8);
                var random = new Random(ChunkSeed);
                var at = 0;
                while (at < Body.Length)
                {
                    var size = Math.Min(Body.Length - at, random.Next(1, 2048));
                    output.Write(Encoding.ASCII.GetBytes(size.ToString("x") + "\r\n"));
                    output.Write(Body, at, size);
                    output.Write("\r\n"u8);
                    at += size;
                }

                output.Write("0\r\n\r\n"u8);
                break;
            case FuzzFraming.None:
                output.Write("\r\n"u8);
                break;
            case FuzzFraming.Custom:
                output.Write("\r\n"u8);
                output.Write(Body);
                break;
        }

        return output.ToArray();
    }

    /// <summary>What the case sent, short and printable, for failure messages.</summary>
    public override string ToString()
    {
        var headers = string.Join("; ", Headers.Select(h => h.Name + ": " + Printable(h.Value, 60)));
        var raw = string.Join("; ", RawHeaderLines.Select(l => Printable(Encoding.Latin1.GetString(l), 60)));
        return $"#{Index} [{Kind}] {Description} | {Printable(Method, 30)} {Printable(Target, 120)} | {headers} {raw} | {Framing}{(DeclaredLength is { } d ? $" declared={d}" : string.Empty)}{(HalfClose ? " half-closed" : string.Empty)} | type={ContentType} | body({Body.Length})={Printable(Encoding.Latin1.GetString(Body), 120)}";
    }

    public static string Printable(string text, int max)
    {
        var cut = text.Length > max ? text[..max] + $"…(+{text.Length - max})" : text;
        var builder = new StringBuilder(cut.Length);
        foreach (var c in cut)
        {
            builder.Append(c is < ' ' or (>= '\u007f' and < '\u00a0') ? $"\\x{(int)c:x2}" : c.ToString());
        }

        return builder.ToString();
    }

    /// <summary>UTF-8 text as a string of one char per byte (how raw header values and targets are held).</summary>
    public static string Utf8AsLatin1(string text) => Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(text));
}

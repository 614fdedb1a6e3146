using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sec0.Gateway.Tests.Fuzz;

/// <summary>One HTTP/1.1 response as the fuzz test saw it: status, headers (names case-insensitive, repeats kept) and body.</summary>
internal sealed record FuzzResponse(int Status, IReadOnlyDictionary<string, List<string>> Headers, byte[] Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var values) ? string.Join(",", values) : null;

    public int Count(string name) => Headers.TryGetValue(name, out var values) ? values.Count : 0;
}

/// <summary>
/// Sends exact bytes over a fresh TCP connection (the request says <c>Connection: close</c>) and reads the answer to
/// the end: for requests HttpClient refuses to send (bad methods, raw targets, control characters, broken framing).
/// </summary>
internal static class RawHttp
{
    /// <summary>Sends <paramref name="request"/>; null when the connection closed without a response.</summary>
    /// <param name="port">The gateway's port on 127.0.0.1.</param>
    /// <param name="request">The exact bytes to send.</param>
    /// <param name="halfClose">Shut the sending side after the bytes (a body shorter than declared, a broken chunk).</param>
    /// <param name="timeout">How long to wait for the answer.</param>
    public static async Task<FuzzResponse?> SendAsync(int port, byte[] request, bool halfClose, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, port, cts.Token);
        var stream = client.GetStream();

        // Written concurrently with reading: the gateway may answer (413) before it has read an oversized body.
        var write = Task.Run(async () =>
        {
            try
            {
                await stream.WriteAsync(request, cts.Token);
                if (halfClose)
                {
                    client.Client.Shutdown(SocketShutdown.Send);
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
                // The server answered and closed before it read everything: the answer is what counts.
            }
        });

        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cts.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            // A reset after the answer (unread request bytes on the server side): keep what arrived.
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No complete answer within {timeout.TotalSeconds:0} s ({received.Length} bytes received).");
        }

        await write;
        return Parse(received.ToArray());
    }

    /// <summary>Parses a whole HTTP/1.1 response stream, skipping 1xx interim responses; null when empty.</summary>
    public static FuzzResponse? Parse(byte[] data)
    {
        var offset = 0;
        while (true)
        {
            if (offset >= data.Length)
            {
                return null;
            }

            var end = IndexOf(data, "\r\n\r\n"u8, offset);
            if (end < 0)
            {
                throw new InvalidDataException("Truncated response head: " + Encoding.Latin1.GetString(data, offset, Math.Min(200, data.Length - offset)));
            }

            var head = Encoding.Latin1.GetString(data, offset, end - offset).Split("\r\n");
            var statusParts = head[0].Split(' ', 3);
            if (statusParts.Length < 2 || !statusParts[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || !int.TryParse(statusParts[1], out var status))
            {
                throw new InvalidDataException("Bad status line: " + head[0]);
            }

            var headers = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
            foreach (var line in head.Skip(1))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    throw new InvalidDataException("Bad header line: " + line);
                }

                var name = line[..colon];
                if (!headers.TryGetValue(name, out var values))
                {
                    headers[name] = values = [];
                }

                values.Add(line[(colon + 1)..].Trim());
            }

            offset = end + 4;
            if (status is >= 100 and < 200)
            {
                continue;
            }

            byte[] body;
            if (headers.TryGetValue("transfer-encoding", out var te) && te.Any(v => v.Contains("chunked", StringComparison.OrdinalIgnoreCase)))
            {
                body = Dechunk(data, offset);
            }
            else if (headers.TryGetValue("content-length", out var cl) && long.TryParse(cl[0], out var length))
            {
                body = data.AsSpan(offset, (int)Math.Min(length, data.Length - offset)).ToArray();
            }
            else
            {
                body = data.AsSpan(offset).ToArray();
            }

            return new FuzzResponse(status, headers, body);
        }
    }

    private static byte[] Dechunk(byte[] data, int offset)
    {
        var body = new MemoryStream();
        while (offset < data.Length)
        {
            var lineEnd = IndexOf(data, "\r\n"u8, offset);
            if (lineEnd < 0)
            {
                break;
            }

            var sizeText = Encoding.ASCII.GetString(data, offset, lineEnd - offset).Split(';')[0].Trim();
            var size = Convert.ToInt32(sizeText, 16);
            offset = lineEnd + 2;
            if (size == 0)
            {
                break;
            }

            body.Write(data, offset, Math.Min(size, data.Length - offset));
            offset += size + 2;
        }

        return body.ToArray();
    }

    private static int IndexOf(byte[] data, ReadOnlySpan<byte> value, int start)
    {
        var at = data.AsSpan(start).IndexOf(value);
        return at < 0 ? -1 : start + at;
    }
}

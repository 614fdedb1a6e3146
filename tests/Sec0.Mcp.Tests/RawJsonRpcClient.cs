using System.Text;
using System.Text.Json;

namespace Sec0.Mcp.Tests;

/// <summary>
/// A bare MCP client over the same pipes the SDK's client would use: it writes JSON-RPC lines exactly as given,
/// so a test can send requests the SDK's client never produces (duplicate members, numbers beyond double range).
/// </summary>
public sealed class RawJsonRpcClient : IAsyncDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private readonly Stream _output;
    private readonly StreamReader _input;
    private int _nextId;

    public RawJsonRpcClient(Stream output, Stream input)
    {
        _output = output;
        _input = new StreamReader(input, Encoding.UTF8);
    }

    /// <summary>The MCP handshake: <c>initialize</c>, then <c>notifications/initialized</c>.</summary>
    public async Task InitializeAsync()
    {
        await RequestAsync("initialize", """{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw-test-client","version":"1.0.0"}}""");
        await WriteLineAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");
    }

    /// <summary>Sends <paramref name="method"/> with <paramref name="rawParams"/> written verbatim and returns the whole response message.</summary>
    public async Task<JsonElement> RequestAsync(string method, string rawParams)
    {
        var id = Interlocked.Increment(ref _nextId);
        await WriteLineAsync($$"""{"jsonrpc":"2.0","id":{{id}},"method":"{{method}}","params":{{rawParams}}}""");
        using var cancel = new CancellationTokenSource(s_timeout);
        while (true)
        {
            var line = await _input.ReadLineAsync(cancel.Token) ?? throw new EndOfStreamException("The server closed the stream before answering.");
            using var document = JsonDocument.Parse(line);
            if (document.RootElement.TryGetProperty("id", out var responseId) && responseId.ValueKind == JsonValueKind.Number && responseId.GetInt32() == id)
            {
                return document.RootElement.Clone();
            }

            // Notifications (logging, progress) and other traffic are not the answer.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _output.DisposeAsync();
        _input.Dispose();
    }

    private async Task WriteLineAsync(string line)
    {
        await _output.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));
        await _output.FlushAsync();
    }
}

using System.Buffers.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Sec0.Gateway.Pipeline;

/// <summary>
/// The caller's headers the gateway reads: <c>x-idempotency-key</c> (required), the cause ids
/// (<c>x-cause-trace</c>, <c>x-cause-span</c>) and the agent-state headers (<c>x-node-id</c>, <c>x-agent-ref</c>,
/// <c>x-agent-state</c>). Each is checked for shape; a malformed or repeated one is a 400, never a 500.
/// </summary>
internal sealed record CallerHeaders(string IdempotencyKey, string? CauseTrace, string? CauseSpan, string? NodeId, string? AgentRef, string? RunId)
{
    public const string IdempotencyKeyHeader = "x-idempotency-key";
    public const string CauseTraceHeader = "x-cause-trace";
    public const string CauseSpanHeader = "x-cause-span";
    public const string NodeIdHeader = "x-node-id";
    public const string AgentRefHeader = "x-agent-ref";
    public const string AgentStateHeader = "x-agent-state";
    public const int MaxIdempotencyKey = 512;
    private const int MaxName = 256;
    private const int MaxAgentState = 8 * 1024;

    public static CallerHeaders? Read(IHeaderDictionary headers, out GatewayError? error)
    {
        error = null;
        var key = Single(headers, IdempotencyKeyHeader, ref error);
        var causeTrace = Single(headers, CauseTraceHeader, ref error);
        var causeSpan = Single(headers, CauseSpanHeader, ref error);
        var nodeId = Single(headers, NodeIdHeader, ref error);
        var agentRef = Single(headers, AgentRefHeader, ref error);
        var state = Single(headers, AgentStateHeader, ref error);
        if (error is not null)
        {
            return null;
        }

        if (key is null || key.Trim().Length == 0)
        {
            error = GatewayError.IdempotencyKeyRequired();
            return null;
        }

        if (key.Length > MaxIdempotencyKey || !IsVisibleAscii(key))
        {
            error = GatewayError.BadHeader(IdempotencyKeyHeader, $"must be 1 to {MaxIdempotencyKey} visible ASCII characters (no spaces or control characters).");
            return null;
        }

        if (causeTrace is not null && !IsHexId(causeTrace, 32))
        {
            error = GatewayError.BadHeader(CauseTraceHeader, "must be a W3C trace id: 32 lowercase hex digits, not all zero.");
            return null;
        }

        if (causeSpan is not null && !IsHexId(causeSpan, 16))
        {
            error = GatewayError.BadHeader(CauseSpanHeader, "must be a W3C span id: 16 lowercase hex digits, not all zero.");
            return null;
        }

        if (nodeId is not null && (nodeId.Length is 0 or > MaxName || HasControl(nodeId)))
        {
            error = GatewayError.BadHeader(NodeIdHeader, $"must be 1 to {MaxName} characters without control characters.");
            return null;
        }

        if (agentRef is not null && (agentRef.Length is 0 or > 2 * MaxName || HasControl(agentRef)))
        {
            error = GatewayError.BadHeader(AgentRefHeader, $"must be 1 to {2 * MaxName} characters without control characters.");
            return null;
        }

        string? runId = null;
        if (state is not null)
        {
            if (!TryReadAgentState(state, out var stateNode, out runId, out var why))
            {
                error = GatewayError.BadHeader(AgentStateHeader, why + " Expected base64url of a JSON object such as {\"version\":1,\"nodeId\":\"order-agent\",\"runId\":\"...\"}.");
                return null;
            }

            nodeId ??= stateNode;
        }

        return new CallerHeaders(key, causeTrace, causeSpan, nodeId, agentRef, runId);
    }

    /// <summary>The header's one value; a repeated header is an error (which value would count?).</summary>
    private static string? Single(IHeaderDictionary headers, string name, ref GatewayError? error)
    {
        if (!headers.TryGetValue(name, out StringValues values) || values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1)
        {
            error ??= GatewayError.BadHeader(name, "appears more than once; send it once.");
            return null;
        }

        return values[0];
    }

    /// <summary>
    /// Reads <c>x-agent-state</c>: base64url of a JSON object, in Sec0's TypeScript form
    /// (<c>{version, nodeId, runId?, parentRef?, variables?, metadata?}</c>) or this SDK's (<c>{run, node, parent?}</c>).
    /// </summary>
    private static bool TryReadAgentState(string value, out string? nodeId, out string? runId, out string why)
    {
        nodeId = runId = null;
        why = string.Empty;
        if (value.Length > MaxAgentState)
        {
            why = $"longer than {MaxAgentState} characters.";
            return false;
        }

        var bytes = new byte[Base64Url.GetMaxDecodedLength(value.Length)];
        int length;
        try
        {
            // TryDecodeFromChars returns false for a short buffer but throws for characters outside the alphabet.
            if (!Base64Url.TryDecodeFromChars(value, bytes, out length))
            {
                why = "not base64url.";
                return false;
            }
        }
        catch (FormatException)
        {
            why = "not base64url.";
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(bytes.AsMemory(0, length), new JsonDocumentOptions { MaxDepth = 16 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                why = "not a JSON object.";
                return false;
            }

            nodeId = Text(root, "nodeId") ?? Text(root, "node");
            runId = Text(root, "runId") ?? Text(root, "run");
            if (root.TryGetProperty("version", out var version) && !(version.ValueKind == JsonValueKind.Number && version.TryGetInt32(out var v) && v == 1))
            {
                why = "its version is not 1.";
                return false;
            }

            if ((nodeId is not null && (nodeId.Length > MaxName || HasControl(nodeId))) || (runId is not null && (runId.Length > MaxName || HasControl(runId))))
            {
                why = $"its nodeId or runId is longer than {MaxName} characters or holds control characters.";
                return false;
            }

            return true;
        }
        catch (JsonException)
        {
            why = "not JSON.";
            return false;
        }
        catch (InvalidOperationException)
        {
            why = "a member that should be a string is not one, or is not valid UTF-8.";
            return false;
        }
    }

    private static string? Text(JsonElement root, string name)
        => root.TryGetProperty(name, out var v) ? (v.ValueKind == JsonValueKind.String ? v.GetString() : throw new InvalidOperationException()) : null;

    private static bool IsHexId(string value, int length)
    {
        if (value.Length != length)
        {
            return false;
        }

        var allZero = true;
        foreach (var c in value)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }

            allZero &= c == '0';
        }

        return !allZero;
    }

    private static bool IsVisibleAscii(string value)
    {
        foreach (var c in value)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    private static bool HasControl(string value)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }
}

using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Sec0.Mcp;

/// <summary>
/// What the call guard reads from a <c>tools/call</c> request before deciding it: the canonical bytes of the
/// arguments (measured for the payload limit, hashed as <c>input_sha256</c>), the idempotency key and the client's
/// trace context from <c>_meta</c>. A request canonical JSON cannot express does not throw here: it comes back
/// with a <see cref="Problem"/>, which the guard denies as <c>malformed_input</c> and audits like any other denial.
/// </summary>
internal readonly struct ToolCallInput
{
    private ToolCallInput(byte[]? arguments, string? problem, string? idempotencyKey, ActivityContext? parent)
    {
        Arguments = arguments;
        Problem = problem;
        IdempotencyKey = idempotencyKey;
        Parent = parent;
    }

    /// <summary>
    /// The canonical bytes of the arguments (<c>{}</c> when there are none). With a <see cref="Problem"/>, the
    /// arguments as received instead — compact, members in the order sent, duplicates kept: a fingerprint of the
    /// request, not a canonical form — or null when not even those can be written.
    /// </summary>
    public byte[]? Arguments { get; }

    /// <summary>What canonical JSON cannot express in the request, e.g. <c>argument "filter": duplicate member "id"</c>; null when nothing.</summary>
    public string? Problem { get; }

    /// <summary><c>_meta["x-idempotency-key"]</c> when it is a non-blank string.</summary>
    public string? IdempotencyKey { get; }

    /// <summary>The client's span from <c>_meta.traceparent</c> (and <c>tracestate</c>), when it sent a valid one.</summary>
    public ActivityContext? Parent { get; }

    /// <summary>Reads the request of <paramref name="context"/>; never throws for anything the client sent.</summary>
    public static ToolCallInput Read(RequestContext<CallToolRequestParams> context)
    {
        var parameters = context.Params;
        var received = ReceivedArguments(context.JsonRpcRequest.Params);
        byte[]? arguments = null;
        string? problem;
        try
        {
            problem = DuplicateArgument(received);
            if (problem is null)
            {
                arguments = CanonicalJson.OfArguments(parameters?.Arguments);
            }
        }
        catch (FormatException ex)
        {
            problem = ex.Message;
        }

        if (problem is not null)
        {
            arguments = AsReceived(received, parameters?.Arguments);
        }

        string? idempotencyKey = null;
        ActivityContext? parent = null;
        if (parameters?.Meta is { } meta)
        {
            try
            {
                if (W3CTraceParent.TryGetString(meta, Sec0McpOptions.IdempotencyKeyMetaName, out var key) && !string.IsNullOrWhiteSpace(key))
                {
                    idempotencyKey = key;
                }

                if (W3CTraceParent.TryRead(meta, out var traceParent))
                {
                    parent = traceParent;
                }
            }
            catch (ArgumentException)
            {
                // JsonObject builds its dictionary on the first read and throws on a name it already holds.
                problem ??= "_meta: " + DuplicateMember(meta);
            }
        }

        return new ToolCallInput(arguments, problem, idempotencyKey, parent);
    }

    /// <summary>The request's own <c>params.arguments</c> object, before the SDK turned it into a dictionary.</summary>
    private static JsonObject? ReceivedArguments(JsonNode? requestParams) =>
        requestParams is JsonObject parameters && parameters.TryGetPropertyValue("arguments", out var arguments) ? arguments as JsonObject : null;

    /// <summary>
    /// A repeated argument name never reaches <c>Params.Arguments</c> (the SDK's dictionary keeps the last value), so
    /// it is looked for in the request's own object, whose first read throws on a repeated name.
    /// </summary>
    private static string? DuplicateArgument(JsonObject? received)
    {
        if (received is null)
        {
            return null;
        }

        try
        {
            _ = received.Count;
            return null;
        }
        catch (ArgumentException)
        {
            return "duplicate argument \"" + (RepeatedName(received) ?? "?") + "\"";
        }
    }

    private static string DuplicateMember(JsonObject node) => "duplicate member \"" + (RepeatedName(node) ?? "?") + "\"";

    /// <summary>The first name <paramref name="node"/> holds twice, read from its JSON (the node itself cannot list them).</summary>
    private static string? RepeatedName(JsonObject node)
    {
        try
        {
            using var document = JsonDocument.Parse(node.ToJsonString());
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    return property.Name;
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Only the name is missing from the message then; the call is denied all the same.
        }

        return null;
    }

    /// <summary>The arguments as received, written compactly; null when they cannot be written at all.</summary>
    private static byte[]? AsReceived(JsonObject? received, IDictionary<string, JsonElement>? arguments)
    {
        try
        {
            if (received is null)
            {
                return arguments is null ? null : CanonicalJson.Serialized(arguments);
            }

            var buffer = new ArrayBufferWriter<byte>(256);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                received.WriteTo(writer);
            }

            return buffer.WrittenSpan.ToArray();
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or JsonException or NotSupportedException)
        {
            return null;
        }
    }
}

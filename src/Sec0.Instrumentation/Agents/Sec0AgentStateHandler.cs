using System.Text.Json;

namespace Sec0.Agents;

/// <summary>
/// Adds the running hop's identity to outgoing HTTP requests, as Sec0's services expect:
/// <c>x-node-id</c>, <c>x-agent-ref</c>, <c>x-agent-state</c> (base64url JSON of run, node and parent),
/// <c>x-cause-trace</c> and <c>x-cause-span</c>. Outside any hop the request is left unchanged.
/// Register it with <c>services.AddHttpClient(...).AddSec0AgentState()</c>.
/// </summary>
public sealed class Sec0AgentStateHandler : DelegatingHandler
{
    /// <summary>The header names this handler sets.</summary>
    public static class Headers
    {
        /// <summary>The running hop's nodeId.</summary>
        public const string NodeId = "x-node-id";

        /// <summary><c>&lt;run id&gt;/&lt;nodeId&gt;</c>.</summary>
        public const string AgentRef = "x-agent-ref";

        /// <summary>Base64url of <c>{"run":..,"node":..,"parent":..}</c>.</summary>
        public const string AgentState = "x-agent-state";

        /// <summary>The trace id of the hop that caused the request.</summary>
        public const string CauseTrace = "x-cause-trace";

        /// <summary>The span id of the hop that caused the request.</summary>
        public const string CauseSpan = "x-cause-span";
    }

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (AgentState.Current is { } state)
        {
            var headers = request.Headers;
            Set(headers, Headers.NodeId, state.NodeId);
            Set(headers, Headers.AgentRef, state.AgentRef);
            Set(headers, Headers.AgentState, Encode(state));
            Set(headers, Headers.CauseTrace, state.TraceId);
            Set(headers, Headers.CauseSpan, state.SpanId);
        }

        return base.SendAsync(request, cancellationToken);
    }

    private static void Set(System.Net.Http.Headers.HttpRequestHeaders headers, string name, string value)
    {
        headers.Remove(name);
        headers.TryAddWithoutValidation(name, value);
    }

    /// <summary>Encodes the state as the <c>x-agent-state</c> header value.</summary>
    internal static string Encode(AgentState state)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("run", state.RunId);
            json.WriteString("node", state.NodeId);
            if (state.ParentNodeId is not null)
            {
                json.WriteString("parent", state.ParentNodeId);
            }

            json.WriteEndObject();
        }

        return Convert.ToBase64String(stream.ToArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}

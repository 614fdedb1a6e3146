using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Sec0.Agents;
using Sec0.Audit;
using Sec0.Config;

namespace Sec0.Gateway;

/// <summary>
/// Calls tools through the Sec0 gateway: sends the credential, the trace context and agent state of the running hop,
/// and an idempotency key derived from the run, the node, the tool and the arguments
/// (<c>&lt;runId&gt;:&lt;nodeId&gt;:&lt;tool@version&gt;:&lt;sha256(args)[..16]&gt;</c>), so that a retried step is not
/// executed twice. A replayed answer is a success.
/// </summary>
public sealed class Sec0GatewayClient
{
    private readonly HttpClient _http;
    private readonly Sec0GatewayClientOptions _options;

    /// <summary>Creates a client over <paramref name="http"/> (from <c>IHttpClientFactory</c>, or one shared instance).</summary>
    public Sec0GatewayClient(HttpClient http, Sec0GatewayClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        if (options.BaseUrl is not { IsAbsoluteUri: true } url || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException("[sec0-gateway] Sec0GatewayClientOptions.BaseUrl must be the gateway's absolute http(s) URL, e.g. http://127.0.0.1:8088/.", nameof(options));
        }

        _http = http;
        _options = options;
    }

    /// <summary>
    /// The client of a <c>type: gateway</c> hop of the initialized app's sec0.config.yaml: its <c>gatewayBaseUrl</c>
    /// (or <c>orchestrator.gatewayBaseUrl</c>), <c>tenant</c> and <c>authHeader</c> (default <c>Bearer &lt;auth.svcToken&gt;</c>).
    /// </summary>
    /// <exception cref="Sec0ConfigException">No app is initialized, or the hop is not a gateway hop.</exception>
    public static Sec0GatewayClient ForHop(string hopKey, HttpClient http)
    {
        var app = Sec0App.Current ?? throw ConfigErrors.Invalid(Sec0ConfigLoader.DefaultFileName, "no Sec0 app is initialized: call Sec0App.Initialize before Sec0GatewayClient.ForHop");
        var hop = app.Config.GetHop(hopKey, HopType.Gateway);
        return new Sec0GatewayClient(http, new Sec0GatewayClientOptions
        {
            BaseUrl = Uri.TryCreate(hop.GatewayBaseUrl, UriKind.Absolute, out var url) ? url : null,
            AuthHeader = hop.AuthHeader,
            Tenant = hop.Tenant,
        });
    }

    /// <summary>The idempotency key of a call: <c>&lt;runId&gt;:&lt;nodeId&gt;:&lt;tool@version&gt;:&lt;first 16 hex of sha256(canonical args)&gt;</c>.</summary>
    public static string IdempotencyKeyFor(string runId, string nodeId, string tool, string version, ReadOnlySpan<byte> canonicalArguments)
        => runId + ":" + nodeId + ":" + tool + "@" + version + ":" + Sha256Hex.Of(canonicalArguments)[..16];

    /// <summary>Calls <c>tool@version</c> on <paramref name="server"/> through the gateway.</summary>
    /// <param name="server">The target server's name in the gateway.</param>
    /// <param name="tool">The tool.</param>
    /// <param name="version">The tool's version.</param>
    /// <param name="arguments">The arguments: anything that serializes to a JSON object (null for none).</param>
    /// <param name="idempotencyKey">A key of your own; null derives one from the running hop and the arguments.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="Sec0GatewayException">The gateway answered with an error status.</exception>
    /// <exception cref="HttpRequestException">The gateway could not be reached.</exception>
    public async Task<Sec0GatewayResult> CallToolAsync(string server, string tool, string version, object? arguments = null, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(server);
        ArgumentException.ThrowIfNullOrWhiteSpace(tool);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        var body = arguments is null ? "{}"u8.ToArray() : JsonSerializer.SerializeToUtf8Bytes(arguments, arguments.GetType());
        var canonical = JsonCanonicalizer.Canonicalize(body);
        var state = AgentState.Current;
        idempotencyKey ??= IdempotencyKeyFor(state?.RunId ?? Guid.NewGuid().ToString("N"), state?.NodeId ?? "node", tool, version, canonical);

        var path = "mcp/" + Uri.EscapeDataString(server) + "/" + Uri.EscapeDataString(tool) + "@" + Uri.EscapeDataString(version);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_options.BaseUrl!, path))
        {
            Content = new ByteArrayContent(canonical) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        var headers = request.Headers;
        headers.TryAddWithoutValidation("x-idempotency-key", idempotencyKey);
        if (_options.AuthHeader is { } auth)
        {
            headers.TryAddWithoutValidation("Authorization", auth);
        }

        if (_options.Tenant is { } tenant)
        {
            headers.TryAddWithoutValidation("x-tenant", tenant);
        }

        if (state is { } s)
        {
            headers.TryAddWithoutValidation(Sec0AgentStateHandler.Headers.NodeId, s.NodeId);
            headers.TryAddWithoutValidation(Sec0AgentStateHandler.Headers.AgentRef, s.AgentRef);
            headers.TryAddWithoutValidation(Sec0AgentStateHandler.Headers.AgentState, Sec0AgentStateHandler.Encode(s));
            headers.TryAddWithoutValidation(Sec0AgentStateHandler.Headers.CauseTrace, s.TraceId);
            headers.TryAddWithoutValidation(Sec0AgentStateHandler.Headers.CauseSpan, s.SpanId);
        }

        // The caller's span: the current activity, else the running hop's ids.
        if (Activity.Current is { } activity)
        {
            headers.TryAddWithoutValidation("traceparent", activity.Id);
        }
        else if (state is { } hop)
        {
            headers.TryAddWithoutValidation("traceparent", "00-" + hop.TraceId + "-" + hop.SpanId + "-01");
        }

        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var traceId = Header(response, "x-trace-id");
        var spanId = Header(response, "x-span-id");
        if (!response.IsSuccessStatusCode)
        {
            throw Failure((int)response.StatusCode, bytes, traceId, spanId);
        }

        using var document = JsonDocument.Parse(bytes.Length == 0 ? "{}"u8.ToArray() : bytes);
        return new Sec0GatewayResult(document.RootElement.Clone(), traceId ?? string.Empty, spanId ?? string.Empty, Header(response, "x-dedupe") == "replay", idempotencyKey);
    }

    private static Sec0GatewayException Failure(int status, byte[] body, string? traceId, string? spanId)
    {
        string error = "HTTP_" + status, message = $"[sec0-gateway] The gateway answered HTTP {status}.";
        string? reason = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                error = Text(root, "error") ?? error;
                message = Text(root, "message") ?? message;
                reason = Text(root, "denial_reason");
            }
        }
        catch (JsonException)
        {
            // Not the gateway's JSON (a proxy's page): the status says enough.
        }

        return new Sec0GatewayException(status, error, message, reason, traceId, spanId);
    }

    private static string? Text(JsonElement root, string name)
        => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? Header(HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}

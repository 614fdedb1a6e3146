using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Sec0.ControlPlane;

/// <summary>
/// The one HTTP client of Sec0's control-plane contract (the TypeScript SDK's endpoints, docs/control-plane.md):
/// key validation, policy, escalations and presigned audit uploads. Every request has a timeout, every failure is a
/// <see cref="ControlPlaneException"/> that says whether trying again may help, responses are size-capped, and redirects
/// are not followed (the key would go with them). Thread-safe; share one per app.
/// </summary>
public sealed class ControlPlaneClient : IDisposable
{
    /// <summary>Responses larger than this are refused (policies are capped at the same size as policy files).</summary>
    public const int MaxResponseBytes = 1024 * 1024;

    private const string JsonMediaType = "application/json";
    private readonly HttpClient _http;
    private readonly string _apiKey;

    /// <summary>Creates a client.</summary>
    /// <exception cref="ControlPlaneException">The URL is not absolute http(s) or the key is empty.</exception>
    public ControlPlaneClient(ControlPlaneClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (ControlPlaneTransport.Problem(options.BaseUrl, "controlPlane.apiBaseUrl") is { } problem)
        {
            throw new ControlPlaneException(ControlPlaneException.NotConfiguredCode, $"[sec0] {problem}.");
        }

        if (string.IsNullOrWhiteSpace(options.ApiKey))
        {
            throw ControlPlaneErrors.ApiKeyMissing("the control plane");
        }

        BaseUrl = new Uri(options.BaseUrl.AbsoluteUri.TrimEnd('/') + "/");
        _apiKey = options.ApiKey.Trim();
        RequestTimeout = options.RequestTimeout > TimeSpan.Zero ? options.RequestTimeout : ControlPlaneClientOptions.DefaultRequestTimeout;
        var handler = options.Handler ?? new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, ConnectTimeout = RequestTimeout };
        _http = new HttpClient(handler, disposeHandler: options.Handler is null) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The base URL requests are made against (with a trailing <c>/</c>).</summary>
    public Uri BaseUrl { get; }

    /// <summary>The timeout of one request.</summary>
    public TimeSpan RequestTimeout { get; }

    /// <summary>
    /// <c>POST /api/auth/validate-key</c>: where the key sits (tenant, environment, client).
    /// </summary>
    /// <exception cref="ControlPlaneException">The key is refused, the control plane is unreachable, or the answer lacks the hierarchy.</exception>
    public async Task<ControlPlaneHierarchy> ValidateKeyAsync(CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Url("api/auth/validate-key"));
        request.Headers.TryAddWithoutValidation("x-api-key", _apiKey);
        request.Content = JsonBody(w => w.WriteString("apiKey", _apiKey));
        using var doc = await SendJsonAsync(request, "API key validation", cancellationToken).ConfigureAwait(false);
        var root = doc.RootElement;
        string? Field(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString()!.Trim() is { Length: > 0 } s ? s : null;
        var tenant = Field("tenant");
        var env = Field("env");
        var clientName = Field("clientName");
        var clientVersion = Field("clientVersion");
        if (tenant is null || env is null || clientName is null || clientVersion is null)
        {
            throw new ControlPlaneException(
                ControlPlaneException.BadResponseCode,
                $"[sec0] API key validation failed: the control plane's answer from {ControlPlaneErrors.Redact(request.RequestUri)} lacks tenant, env, clientName or clientVersion.");
        }

        return new ControlPlaneHierarchy(tenant, env, clientName, clientVersion, Field("userId"));
    }

    /// <summary>
    /// <c>GET /api/policy/{tenant}?level=…[&amp;nodeId=…]</c> with <c>If-None-Match</c> when <paramref name="etag"/> is
    /// given: the policy YAML, or <see cref="PolicyFetch.NotModified"/> on 304.
    /// </summary>
    /// <exception cref="ControlPlaneException">The request failed.</exception>
    public async Task<PolicyFetch> GetPolicyAsync(string tenant, string level, string? nodeId, string? etag, CancellationToken cancellationToken = default)
    {
        var query = "?level=" + Uri.EscapeDataString(level) + (string.IsNullOrEmpty(nodeId) ? string.Empty : "&nodeId=" + Uri.EscapeDataString(nodeId));
        using var request = new HttpRequestMessage(HttpMethod.Get, Url("api/policy/" + Uri.EscapeDataString(tenant) + query));
        Authorize(request);
        request.Headers.Accept.ParseAdd("text/yaml");
        if (!string.IsNullOrEmpty(etag) && EntityTagHeaderValue.TryParse(etag, out var tag))
        {
            request.Headers.IfNoneMatch.Add(tag);
        }

        var conditional = request.Headers.IfNoneMatch.Count > 0;
        using var response = await SendAsync(request, "policy fetch", cancellationToken, allowNotModified: conditional).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotModified)
        {
            // Only ever an answer to If-None-Match (SendAsync refuses it otherwise): "keep the policy you named".
            return PolicyFetch.NotModified(etag);
        }

        var bytes = await ReadBodyAsync(response, request, "policy fetch", cancellationToken).ConfigureAwait(false);
        string yaml;
        try
        {
            yaml = new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new ControlPlaneException(ControlPlaneException.BadResponseCode, $"[sec0] policy fetch failed: {ControlPlaneErrors.Redact(request.RequestUri)} answered with text that is not UTF-8.", 200, false, ex);
        }

        return PolicyFetch.Changed(yaml, response.Headers.ETag?.ToString());
    }

    /// <summary><c>POST /api/escalations?tenant=…</c> with a JSON body written by <paramref name="writeBody"/>.</summary>
    /// <exception cref="ControlPlaneException">The request failed or the answer has no escalation id and status.</exception>
    public async Task<RemoteEscalation> CreateEscalationAsync(string tenant, Action<Utf8JsonWriter> writeBody, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writeBody);
        using var request = new HttpRequestMessage(HttpMethod.Post, Url("api/escalations" + TenantQuery(tenant)));
        Authorize(request);
        request.Content = JsonBody(writeBody);
        using var doc = await SendJsonAsync(request, "escalation create", cancellationToken).ConfigureAwait(false);
        return RemoteEscalation.Parse(doc.RootElement) ?? throw InvalidAnswer(request, "escalation create", "an escalation with id and status");
    }

    /// <summary><c>GET /api/escalations/{id}?tenant=…</c>.</summary>
    /// <exception cref="ControlPlaneException">The request failed or the answer has no escalation id and status.</exception>
    public async Task<RemoteEscalation> GetEscalationAsync(string id, string tenant, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        using var request = new HttpRequestMessage(HttpMethod.Get, Url("api/escalations/" + Uri.EscapeDataString(id) + TenantQuery(tenant)));
        Authorize(request);
        request.Headers.Accept.ParseAdd(JsonMediaType);
        using var doc = await SendJsonAsync(request, "escalation status", cancellationToken).ConfigureAwait(false);
        return RemoteEscalation.Parse(doc.RootElement) ?? throw InvalidAnswer(request, "escalation status", "an escalation with id and status");
    }

    /// <summary><c>POST /api/sec0/upload-url</c>: a presigned URL for one object.</summary>
    /// <exception cref="ControlPlaneException">The request failed or the answer has no URL.</exception>
    public async Task<PresignedUpload> RequestUploadUrlAsync(string key, ControlPlaneHierarchy hierarchy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hierarchy);
        using var request = new HttpRequestMessage(HttpMethod.Post, Url("api/sec0/upload-url"));
        Authorize(request);
        request.Content = JsonBody(w =>
        {
            w.WriteString("key", key);
            w.WriteString("tenant", hierarchy.Tenant);
            w.WriteString("env", hierarchy.Environment);
            w.WriteString("contentType", "application/x-ndjson");
            w.WriteString("clientName", hierarchy.ClientName);
            w.WriteString("clientVersion", hierarchy.ClientVersion);
        });
        using var doc = await SendJsonAsync(request, "upload URL request", cancellationToken).ConfigureAwait(false);
        return PresignedUpload.Parse(doc.RootElement) ?? throw InvalidAnswer(request, "upload URL request", "an absolute http(s) \"url\"");
    }

    /// <summary>
    /// <c>PUT</c>s <paramref name="content"/> to a presigned URL with its headers. The API key is not sent: the URL
    /// carries its own authorization and may point at another host.
    /// </summary>
    /// <exception cref="ControlPlaneException">The upload failed.</exception>
    public async Task UploadAsync(PresignedUpload upload, Stream content, long length, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(content);
        var problem = ControlPlaneTransport.Problem(upload.Url, "the presigned upload URL");
        if (problem is null && BaseUrl.Scheme == Uri.UriSchemeHttps && upload.Url.Scheme != Uri.UriSchemeHttps && !upload.Url.IsLoopback)
        {
            problem = "the presigned upload URL \"" + ControlPlaneErrors.Redact(upload.Url) + "\" is plain http while the control plane is https";
        }

        if (problem is not null)
        {
            // Not retryable: the control plane chose the URL, and an audit file goes nowhere unencrypted.
            throw new ControlPlaneException(ControlPlaneException.BadResponseCode, $"[sec0] {ControlPlaneErrors.UploadOperation} refused: {problem}.");
        }

        using var request = new HttpRequestMessage(HttpMethod.Put, upload.Url);
        request.Content = new StreamContent(content);
        request.Content.Headers.ContentLength = length;
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        foreach (var (name, value) in upload.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content.Headers.Remove(name);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var response = await SendAsync(request, ControlPlaneErrors.UploadOperation, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();

    private Uri Url(string relative) => new(BaseUrl, relative);

    private static string TenantQuery(string tenant) => string.IsNullOrEmpty(tenant) ? string.Empty : "?tenant=" + Uri.EscapeDataString(tenant);

    private void Authorize(HttpRequestMessage request) => request.Headers.Authorization = BearerToken.Header(_apiKey);

    private static ByteArrayContent JsonBody(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        var content = new ByteArrayContent(buffer.WrittenSpan.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue(JsonMediaType) { CharSet = "utf-8" };
        return content;
    }

    private async Task<JsonDocument> SendJsonAsync(HttpRequestMessage request, string operation, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(request, operation, cancellationToken).ConfigureAwait(false);
        var bytes = await ReadBodyAsync(response, request, operation, cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException ex)
        {
            throw new ControlPlaneException(ControlPlaneException.BadResponseCode, $"[sec0] {operation} failed: {request.Method} {ControlPlaneErrors.Redact(request.RequestUri)} answered with a body that is not JSON ({ex.Message}).", (int)response.StatusCode, false, ex);
        }
    }

    /// <summary>Sends with the request timeout; turns every failure into a <see cref="ControlPlaneException"/>.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string operation, CancellationToken cancellationToken, bool allowNotModified = false)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ControlPlaneException(ControlPlaneException.UnavailableCode, $"[sec0] {operation} failed: {request.Method} {ControlPlaneErrors.Redact(request.RequestUri)} did not answer within {RequestTimeout.TotalMilliseconds:0} ms.", null, true, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new ControlPlaneException(ControlPlaneException.UnavailableCode, $"[sec0] {operation} failed: the control plane at {ControlPlaneErrors.Redact(request.RequestUri)} is unreachable ({ex.Message}).", null, true, ex);
        }

        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode || (allowNotModified && response.StatusCode == HttpStatusCode.NotModified))
        {
            return response;
        }

        string detail;
        try
        {
            detail = await ReadSnippetAsync(response, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            detail = string.Empty;
        }
        finally
        {
            response.Dispose();
        }

        throw ControlPlaneErrors.Status(operation, request, status, detail);
    }

    private async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, HttpRequestMessage request, string operation, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > MaxResponseBytes)
        {
            throw TooLarge(request, operation);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, timeout.Token).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxResponseBytes)
                {
                    throw TooLarge(request, operation);
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ControlPlaneException(ControlPlaneException.UnavailableCode, $"[sec0] {operation} failed: {request.Method} {ControlPlaneErrors.Redact(request.RequestUri)} did not finish its answer within {RequestTimeout.TotalMilliseconds:0} ms.", (int)response.StatusCode, true, ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw new ControlPlaneException(ControlPlaneException.UnavailableCode, $"[sec0] {operation} failed: the connection to {ControlPlaneErrors.Redact(request.RequestUri)} broke during the answer ({ex.Message}).", (int)response.StatusCode, true, ex);
        }
    }

    private static async Task<string> ReadSnippetAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[512];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
        }

        return ControlPlaneErrors.Printable(Encoding.UTF8.GetString(buffer, 0, total), 200);
    }

    private static ControlPlaneException TooLarge(HttpRequestMessage request, string operation) =>
        new(ControlPlaneException.BadResponseCode, $"[sec0] {operation} failed: {request.Method} {ControlPlaneErrors.Redact(request.RequestUri)} answered with more than {MaxResponseBytes} bytes.");

    private static ControlPlaneException InvalidAnswer(HttpRequestMessage request, string operation, string expected) =>
        new(ControlPlaneException.BadResponseCode, $"[sec0] {operation} failed: {request.Method} {ControlPlaneErrors.Redact(request.RequestUri)} answered without {expected}.", 200);
}

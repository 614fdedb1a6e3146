using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Sec0.Tests;

/// <summary>The routes of the reference control plane, for fault injection and request counts.</summary>
public enum ControlPlaneRoute
{
    ValidateKey,
    Policy,
    EscalationCreate,
    EscalationGet,
    UploadUrl,
    Upload,
    Evaluate,
}

/// <summary>A failure the reference control plane answers with instead of the contract's answer.</summary>
/// <param name="Status">An HTTP status to answer with (0: none).</param>
/// <param name="Delay">Wait this long first (a slow control plane).</param>
/// <param name="Drop">Abort the connection without an answer.</param>
/// <param name="BadJson">Answer 200 with a body that is not JSON (or not YAML, for the policy).</param>
/// <param name="Oversized">Answer 200 with a 2 MiB body.</param>
public sealed record ControlPlaneFault(int Status = 0, TimeSpan Delay = default, bool Drop = false, bool BadJson = false, bool Oversized = false);

/// <summary>A request the reference control plane received.</summary>
public sealed record ControlPlaneRequest(ControlPlaneRoute Route, string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}

/// <summary>
/// Sec0's control-plane contract (docs/control-plane.md) on a real Kestrel server on 127.0.0.1: key validation, policy with
/// ETags, escalations, presigned uploads and runtime evaluation, with in-memory state and injectable failures. Test-only.
/// </summary>
public sealed class ReferenceControlPlane : IAsyncDisposable
{
    public const string DefaultApiKey = "sec0_reference_key_0123456789";
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<ControlPlaneRoute, (ControlPlaneFault Fault, int Remaining)> _faults = new();
    private readonly ConcurrentDictionary<string, string> _policies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _uploadTokens = new(StringComparer.Ordinal);
    private int _escalationCounter;

    private ReferenceControlPlane(WebApplication app, string apiKey)
    {
        _app = app;
        ApiKey = apiKey;
    }

    public string ApiKey { get; }

    public Uri BaseUrl => new(_app.Urls.First());

    public string Tenant { get; set; } = "demo";

    public string Environment { get; set; } = "dev";

    public string ClientName { get; set; } = "demo-agents";

    public string ClientVersion { get; set; } = "1.0.0";

    /// <summary>Every request, in arrival order.</summary>
    public ConcurrentQueue<ControlPlaneRequest> Requests { get; } = new();

    /// <summary>Escalations created, by id: the request body and the status reported on GET.</summary>
    public ConcurrentDictionary<string, (JsonElement Body, string Status)> Escalations { get; } = new(StringComparer.Ordinal);

    /// <summary>Uploaded objects, by key.</summary>
    public ConcurrentDictionary<string, byte[]> Objects { get; } = new(StringComparer.Ordinal);

    /// <summary>Answers <c>/v1/runtime/evaluate</c>: the request body in, the <c>decision</c> object's action and reason out.</summary>
    public Func<JsonElement, (string Action, string? Reason)> Evaluate { get; set; } = _ => ("allow", null);

    public static async Task<ReferenceControlPlane> StartAsync(string apiKey = DefaultApiKey)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 64 * 1024 * 1024);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new ReferenceControlPlane(app, apiKey);
        server.Map(app);
        await app.StartAsync();
        return server;
    }

    /// <summary>Serves <paramref name="yaml"/> for the base policy, or for <paramref name="nodeId"/>'s.</summary>
    public void SetPolicy(string yaml, string? nodeId = null) => _policies[nodeId ?? string.Empty] = yaml;

    /// <summary>Answers <paramref name="route"/> with <paramref name="fault"/> for the next <paramref name="times"/> requests.</summary>
    public void Fail(ControlPlaneRoute route, ControlPlaneFault fault, int times = int.MaxValue) => _faults[route] = (fault, times);

    public void Heal(ControlPlaneRoute route) => _faults.TryRemove(route, out _);

    public int Count(ControlPlaneRoute route) => Requests.Count(r => r.Route == route);

    public void SetEscalationStatus(string id, string status) =>
        Escalations.AddOrUpdate(id, _ => throw new KeyNotFoundException(id), (_, e) => (e.Body, status));

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private void Map(WebApplication app)
    {
        app.MapPost("/api/auth/validate-key", Route(c => Handle(c, ControlPlaneRoute.ValidateKey, async body =>
        {
            var json = JsonDocument.Parse(body).RootElement;
            if (c.Request.Headers["x-api-key"] != ApiKey || !json.TryGetProperty("apiKey", out var k) || k.GetString() != ApiKey)
            {
                return Results.Json(new { error = "invalid_api_key" }, statusCode: 401);
            }

            await Task.CompletedTask;
            return Results.Json(new { tenant = Tenant, env = Environment, clientName = ClientName, clientVersion = ClientVersion, userId = "user-1" });
        })));

        app.MapGet("/api/policy/{tenant}", (HttpContext c, string tenant, string? level, string? nodeId) => Handle(c, ControlPlaneRoute.Policy, _ =>
        {
            if (!Authorized(c))
            {
                return Task.FromResult(Results.Json(new { error = "unauthorized" }, statusCode: 401));
            }

            if (tenant != Tenant)
            {
                return Task.FromResult(Results.Json(new { error = "forbidden" }, statusCode: 403));
            }

            var yaml = _policies.TryGetValue(nodeId ?? string.Empty, out var p) ? p : string.Empty;
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(yaml)))[..16] + "\"";
            if (c.Request.Headers.IfNoneMatch.ToString() == etag)
            {
                return Task.FromResult(Results.StatusCode(304));
            }

            c.Response.Headers.ETag = etag;
            return Task.FromResult(Results.Text(yaml, "text/yaml", Encoding.UTF8));
        }));

        app.MapPost("/api/escalations", Route(c => Handle(c, ControlPlaneRoute.EscalationCreate, body =>
        {
            if (!Authorized(c))
            {
                return Task.FromResult(Results.Json(new { error = "unauthorized" }, statusCode: 401));
            }

            var id = "esc_remote_" + Interlocked.Increment(ref _escalationCounter);
            Escalations[id] = (JsonDocument.Parse(body).RootElement.Clone(), "pending");
            return Task.FromResult(Results.Json(new { escalation = new { id, status = "pending", created_at = DateTimeOffset.UtcNow } }, statusCode: 201));
        })));

        app.MapGet("/api/escalations/{id}", (HttpContext c, string id) => Handle(c, ControlPlaneRoute.EscalationGet, _ =>
        {
            if (!Authorized(c))
            {
                return Task.FromResult(Results.Json(new { error = "unauthorized" }, statusCode: 401));
            }

            return Task.FromResult(Escalations.TryGetValue(id, out var e)
                ? Results.Json(new { escalation = new { id, status = e.Status } })
                : Results.Json(new { error = "not_found" }, statusCode: 404));
        }));

        app.MapPost("/api/sec0/upload-url", Route(c => Handle(c, ControlPlaneRoute.UploadUrl, body =>
        {
            if (!Authorized(c))
            {
                return Task.FromResult(Results.Json(new { error = "unauthorized" }, statusCode: 401));
            }

            var key = JsonDocument.Parse(body).RootElement.GetProperty("key").GetString()!;
            var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            _uploadTokens[token] = key;
            var url = new Uri(BaseUrl, "/objects/" + Uri.EscapeDataString(key));
            return Task.FromResult(Results.Json(new { url = url.AbsoluteUri, headers = new Dictionary<string, string> { ["x-amz-meta-upload-token"] = token } }));
        })));

        app.MapPut("/objects/{key}", (HttpContext c, string key) => Handle(c, ControlPlaneRoute.Upload, body =>
        {
            // A presigned URL carries its own authorization: the token issued with it, once; never the API key.
            var token = c.Request.Headers["x-amz-meta-upload-token"].ToString();
            key = Uri.UnescapeDataString(key);
            if (c.Request.Headers.Authorization.Count > 0 || !_uploadTokens.TryRemove(token, out var issuedFor) || issuedFor != key)
            {
                return Task.FromResult(Results.StatusCode(403));
            }

            Objects[key] = body;
            return Task.FromResult(Results.Ok());
        }));

        app.MapPost("/v1/runtime/evaluate", Route(c => Handle(c, ControlPlaneRoute.Evaluate, body =>
        {
            if (!Authorized(c))
            {
                return Task.FromResult(Results.Json(new { error = new { code = "unauthorized", message = "bad key", retryable = false } }, statusCode: 401));
            }

            var request = JsonDocument.Parse(body).RootElement;
            var (action, reason) = Evaluate(request);
            return Task.FromResult(Results.Json(new
            {
                protocolVersion = "2026-02-01",
                decision = new { action, reason, reasons = reason is null ? Array.Empty<string>() : [reason] },
                metadata = new { engineVersion = "reference", processedAt = DateTimeOffset.UtcNow, latencyMs = 0 },
            }));
        })));
    }

    // A handler taking only HttpContext would bind as a RequestDelegate and drop its IResult.
    private static Delegate Route(Func<HttpContext, Task<IResult>> handler) => handler;

    private bool Authorized(HttpContext c) => c.Request.Headers.Authorization.ToString() == "Bearer " + ApiKey;

    private async Task<IResult> Handle(HttpContext c, ControlPlaneRoute route, Func<byte[], Task<IResult>> handler)
    {
        using var buffer = new MemoryStream();
        await c.Request.Body.CopyToAsync(buffer, c.RequestAborted);
        var body = buffer.ToArray();
        Requests.Enqueue(new ControlPlaneRequest(
            route,
            c.Request.Method,
            c.Request.Path + c.Request.QueryString,
            c.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
            body));

        while (_faults.TryGetValue(route, out var entry) && entry.Remaining > 0)
        {
            if (!_faults.TryUpdate(route, (entry.Fault, entry.Remaining - 1), entry))
            {
                continue;
            }

            var fault = entry.Fault;
            if (fault.Delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(fault.Delay, c.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return Results.Empty;
                }
            }

            if (fault.Drop)
            {
                c.Abort();
                return Results.Empty;
            }

            if (fault.Status != 0)
            {
                return Results.Text("{\"error\":\"injected\"}", "application/json", Encoding.UTF8, fault.Status);
            }

            if (fault.BadJson)
            {
                return Results.Text(route == ControlPlaneRoute.Policy ? "tools: [unclosed\n  : :" : "{not json", "application/json", Encoding.UTF8);
            }

            if (fault.Oversized)
            {
                return Results.Text(new string('x', 2 * 1024 * 1024), "application/json", Encoding.UTF8);
            }

            break;
        }

        return await handler(body);
    }
}

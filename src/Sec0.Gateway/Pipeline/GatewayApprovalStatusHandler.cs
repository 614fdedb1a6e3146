using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Sec0.Approvals;
using Sec0.Audit;
using Sec0.Gateway.Auth;

namespace Sec0.Gateway.Pipeline;

/// <summary>
/// <c>GET /approvals/{id}</c>: where an escalated call's escalation stands, and its approval token once it is approved,
/// for the caller that was escalated. Authenticated like tool calls; an escalation of another tenant, or of another
/// node than the caller's <c>x-node-id</c>, is answered as unknown (404), so ids leak nothing. Every answer is recorded.
/// </summary>
internal sealed class GatewayApprovalStatusHandler
{
    public const string Route = "/approvals/{id}";

    private readonly GatewayRuntime _runtime;

    public GatewayApprovalStatusHandler(GatewayRuntime runtime) => _runtime = runtime;

    public async Task HandleAsync(HttpContext http)
    {
        var started = Stopwatch.GetTimestamp();
        var trace = GatewayTrace.Create(null, null);
        trace.WriteHeaders(http.Response);
        var id = http.Request.RouteValues["id"] as string ?? string.Empty;
        GatewayPrincipal? principal = null;
        Escalation? escalation = null;
        int status;
        byte[] body;

        var auth = await _runtime.Authenticator.AuthenticateAsync(http.Request.Headers.Authorization, http.Request.Headers[GatewayAuthenticator.TenantHeader], http.RequestAborted).ConfigureAwait(false);
        if (!auth.Succeeded)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            (status, body) = (401, GatewayErrorBody.Write(GatewayError.Unauthenticated(), null, false));
        }
        else
        {
            principal = auth.Principal!;
            var nodeId = http.Request.Headers["x-node-id"].ToString();
            escalation = _runtime.Options.Approvals is { } approvals && EscalationIds.IsValid(id)
                ? await approvals.GetAsync(id, http.RequestAborted).ConfigureAwait(false)
                : null;
            if (escalation is not null
                && (!string.Equals(escalation.Request.Tenant, principal.Tenant, StringComparison.Ordinal)
                    || (escalation.Request.NodeId.Length > 0 && !string.Equals(escalation.Request.NodeId, nodeId, StringComparison.Ordinal))))
            {
                escalation = null;
            }

            (status, body) = escalation is null
                ? (404, GatewayErrorBody.Write(new GatewayError(404, "ESCALATION_NOT_FOUND", "[sec0-gateway] No escalation with this id for this caller: use the escalation_id of your own escalated call (same tenant and x-node-id).", "escalation_not_found"), null, false))
                : (200, Write(escalation, _runtime.Options.Approvals!.TokenFor(escalation)));
        }

        Record(principal, escalation, status, started, trace);
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        http.Response.Headers.CacheControl = "no-store";
        await http.Response.Body.WriteAsync(body, http.RequestAborted).ConfigureAwait(false);
    }

    private static byte[] Write(Escalation escalation, string? token)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("escalation_id"u8, escalation.Id);
            writer.WriteString("escalation_status"u8, ApprovalNames.Of(escalation.Status));
            writer.WriteString("resolution"u8, ApprovalNames.Of(escalation.Resolution));
            writer.WriteString("expires_at"u8, escalation.ExpiresAt);
            if (token is not null)
            {
                writer.WriteString("approval_token"u8, token);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private void Record(GatewayPrincipal? principal, Escalation? escalation, int status, long started, GatewayTrace trace)
    {
        var e = _runtime.NewEnvelope(principal?.Tenant);
        e.ToolRef = escalation?.Request.ToolRef;
        e.Op = "approval.status";
        e.TraceId = trace.TraceId.ToHexString();
        e.SpanId = trace.SpanId.ToHexString();
        e.User = _runtime.Identity(principal?.User);
        e.HttpStatus = status;
        e.Status = EnvelopeStatus.Of(status == 200);
        e.LatencyMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        e.EscalationId = escalation?.Id;
        e.EscalationStatus = escalation is null ? null : ApprovalNames.Of(escalation.Status);
        e.DenialReason = status == 200 ? null : status == 401 ? "unauthenticated" : "escalation_not_found";
        _runtime.Record(e);
    }
}

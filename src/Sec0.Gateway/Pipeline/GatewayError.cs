using Sec0.Policy;

namespace Sec0.Gateway.Pipeline;

/// <summary>
/// An error response of the gateway: its HTTP status, the <c>error</c> code and <c>message</c> of its JSON body,
/// and the reason recorded in the audit envelope. Codes and texts follow Sec0's TypeScript gateway where it has
/// one (docs/gateway.md lists them all).
/// </summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="Code">The <c>error</c> code.</param>
/// <param name="Message">The <c>message</c>: what is wrong and how to fix it.</param>
/// <param name="Reason">The envelope's <c>denial_reason</c>: a policy reason for policy denials, the code in snake case otherwise.</param>
/// <param name="IsPolicyDenial">True for entitlement and policy denials (the body carries <c>denial_reason</c> and <c>denial_level</c>).</param>
internal sealed record GatewayError(int Status, string Code, string Message, string Reason, bool IsPolicyDenial = false)
{
    public const string IdempotencyKeyRequiredMessage = "[sec0-gateway] x-idempotency-key header is required";

    public static GatewayError NotFound(string path) => new(404, "NOT_FOUND", $"[sec0-gateway] No route for \"{Clip(path)}\": the gateway serves POST /mcp/{{server}}/{{tool}}@{{version}}.", "not_found");

    public static GatewayError MethodNotAllowed(string method) => new(405, "METHOD_NOT_ALLOWED", $"[sec0-gateway] {Clip(method)} is not allowed: call a tool with POST /mcp/{{server}}/{{tool}}@{{version}} and the arguments as a JSON object body.", "method_not_allowed");

    public static GatewayError BadRoute(string detail) => new(400, "BAD_REQUEST", $"[sec0-gateway] {detail}", "bad_request");

    public static GatewayError BadHeader(string header, string detail) => new(400, "BAD_HEADER", $"[sec0-gateway] {header}: {detail}", "bad_header");

    public static GatewayError IdempotencyKeyRequired() => new(400, "IDEMPOTENCY_KEY_REQUIRED", IdempotencyKeyRequiredMessage, "idempotency_key_required");

    public static GatewayError MalformedBody(string detail) => new(400, "MALFORMED_BODY", $"[sec0-gateway] The request body must be a JSON object of tool arguments (or empty): {detail}.", "malformed_body");

    public static GatewayError MalformedInput(string detail) => new(400, "MALFORMED_INPUT", $"[sec0-gateway] The arguments cannot be expressed as canonical JSON ({detail}). Send I-JSON (RFC 7493): every member name once per object, every number within the range of a double.", PolicyReasons.MalformedInput, IsPolicyDenial: true);

    public static GatewayError PayloadTooLarge(long limit) => new(413, "PAYLOAD_TOO_LARGE", $"[sec0-gateway] The request body is larger than {limit} bytes (security.limits.max_payload_kb).", PolicyReasons.PayloadTooLarge, IsPolicyDenial: true);

    public static GatewayError Unauthenticated() => new(401, "UNAUTHENTICATED", "UNAUTHENTICATED: missing or invalid credentials", "unauthenticated");

    public static GatewayError ToolNotAllowed(string toolRef, string tenant) => new(403, "TOOL_NOT_ALLOWED", $"TOOL_NOT_ALLOWED: add {toolRef} to tenant '{tenant}' allowlist", PolicyReasons.ToolNotInAllowlist, IsPolicyDenial: true);

    public static GatewayError PolicyDenied(string reason, string toolRef) => new(403, reason.ToUpperInvariant(), $"{reason.ToUpperInvariant()}: {toolRef} denied by policy ({reason})", reason, IsPolicyDenial: true);

    public static GatewayError KeyReused() => new(422, "IDEMPOTENCY_KEY_REUSED", "[sec0-gateway] This x-idempotency-key was already used for a request with other arguments: use a new key for a new request.", "idempotency_key_reused");

    public static GatewayError Duplicate() => new(409, "IDEMPOTENT_DUPLICATE", "Duplicate idempotent request", "idempotent_duplicate");

    public static GatewayError RateLimited() => new(429, "RATE_LIMITED", "[sec0-gateway] Rate limit reached for this tool: retry after the Retry-After seconds.", "rate_limited");

    public static GatewayError QuotaExceeded() => new(429, "QUOTA_EXCEEDED", "[sec0-gateway] Daily quota reached for this tool: it resets at x-quota-reset-at (UTC midnight).", "quota_exceeded");

    public static GatewayError TargetNotFound(string server) => new(502, "TARGET_NOT_FOUND", $"[sec0-gateway] No target server \"{Clip(server)}\": add it under gateway.targets.", "target_not_found");

    public static GatewayError UpstreamTimeout(double ms) => new(504, "UPSTREAM_TIMEOUT", $"[sec0-gateway] The tool server did not answer within {ms:0} ms (security.limits.max_duration_ms).", "upstream_timeout");

    public static GatewayError UnsupportedMediaType(string media) => new(415, "UNSUPPORTED_MEDIA_TYPE", $"[sec0-gateway] The body is \"{Clip(media)}\": send the tool arguments as a JSON object with Content-Type: application/json.", "unsupported_media_type");

    public static GatewayError UpstreamFailed(string server, int? status, string? detail) => new(502, "UPSTREAM_ERROR", $"[sec0-gateway] The tool server \"{server}\" answered with an error{(status is { } s ? $" (HTTP {s})" : string.Empty)}: {Clip(detail ?? "no detail")}.", "upstream_error");

    public static GatewayError UpstreamUnreachable(string server, string? detail) => new(502, "UPSTREAM_UNREACHABLE", $"[sec0-gateway] The tool server \"{server}\" could not be reached: {Clip(detail ?? "no detail")}. Check gateway.targets.{server}.", "upstream_unreachable");

    public static GatewayError UpstreamUnavailable(string server, int? status, string? detail) => new(503, "UPSTREAM_UNAVAILABLE", $"[sec0-gateway] The tool server \"{server}\" is unavailable{(status is { } s ? $" (HTTP {s})" : string.Empty)}: {Clip(detail ?? "retry later")}.", "upstream_unavailable");

    public static GatewayError StateUnavailable() => new(503, "STATE_UNAVAILABLE", "[sec0-gateway] The gateway's shared state (idempotency records, quotas) cannot be reached, so the call was not forwarded: retry later with the same x-idempotency-key.", "state_unavailable");

    public static GatewayError ApprovalTokenRefused(string refusal) => new(403, "APPROVAL_TOKEN_REFUSED", $"[sec0-gateway] The x-sec0-approval-token was refused ({refusal}): a token runs the approved call once, with the same tool, tenant, node and arguments.", "approval_token_" + refusal, IsPolicyDenial: true);

    public static GatewayError Internal() => new(500, "INTERNAL", "[sec0-gateway] The gateway failed unexpectedly; the request was recorded. See the gateway's log.", "internal");

    /// <summary>Caller text echoed in a message, cut short and without control characters.</summary>
    internal static string Clip(string text)
    {
        var cut = text.Length > 200 ? text[..200] + "…" : text;
        return string.Create(cut.Length, cut, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }
}

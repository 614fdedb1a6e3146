using System.Buffers;
using System.Text.Json;
using Sec0.Config;
using Sec0.Policy;

namespace Sec0.ControlPlane;

/// <summary>
/// The messages of <c>POST /v1/runtime/evaluate</c> (runtime-enforcement.yaml): the RuntimeDecisionRequest
/// <see cref="RemoteDecider"/> sends and the RuntimeDecisionResponse it reads. Transport, budget and fallback stay in the decider.
/// </summary>
internal static class RuntimeEvaluateMessage
{
    /// <summary>The request body (runtime-enforcement.yaml, RuntimeDecisionRequest). Retries of one decision send the same body, so the same <c>requestId</c>.</summary>
    public static byte[] Write(in Decision local, DecisionEngine engine, RemoteDecisionContext context)
    {
        var buffer = new ArrayBufferWriter<byte>(768);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("protocolVersion", RemoteDecider.ProtocolVersion);
            // Unique per decision (Sec0's TypeScript SDK derives it from the tool, which defeats the server's idempotency).
            w.WriteString("requestId", Guid.NewGuid().ToString("D"));

            w.WriteStartObject("context");
            w.WriteString("integrationSurface", RemoteDecider.IntegrationSurface);
            w.WriteString("executionLayer", context.ExecutionLayer);
            Optional(w, "tenant", context.Tenant);
            w.WriteString("server", context.Server);
            w.WriteString("tool", context.Tool);
            Optional(w, "nodeId", context.NodeId);
            Optional(w, "runId", context.RunId);
            w.WriteEndObject();

            w.WriteStartObject("enforcement");
            w.WriteString("mode", engine.Mode == EnforcementMode.Observe ? "observe" : "enforce");
            w.WriteString("strategy", engine.Strategy == EnforcementStrategy.DenyOnAny ? "deny_on_any" : "deny_on_match");
            Names(w, "denyOn", engine.DenyOn);
            w.WriteBoolean("forceDeny", false);
            w.WriteEndObject();

            w.WriteStartObject("input");
            Names(w, "reasons", local.Violations);
            w.WriteStartArray("riskTags");
            foreach (var tag in local.GetRiskTagNames())
            {
                w.WriteStringValue(tag);
            }

            w.WriteEndArray();
            w.WriteStartObject("attributes");
            w.WriteString("localDecision", local.OutcomeName);
            w.WriteString("localReason", local.PrimaryReasonName);
            Names(w, "escalateOn", engine.EscalateOn);
            w.WriteNumber("riskScore", local.RiskScore);
            Optional(w, "version", context.Version);
            Optional(w, "hop", context.HopKey);
            w.WriteEndObject();
            w.WriteEndObject();

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void Optional(Utf8JsonWriter w, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            w.WriteString(name, value);
        }
    }

    private static void Names(Utf8JsonWriter w, string name, PolicyReasonSet reasons)
    {
        w.WriteStartArray(name);
        foreach (var reason in reasons)
        {
            w.WriteStringValue(PolicyReasons.GetName(reason));
        }

        w.WriteEndArray();
    }

    /// <summary>Reads a RuntimeDecisionResponse; anything that is not a decision of the four actions is a failure.</summary>
    /// <exception cref="ControlPlaneException">The body is not JSON or holds no such decision.</exception>
    public static RemoteAnswer Read(byte[] body, int status, string endpoint)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException ex)
        {
            throw new ControlPlaneException(ControlPlaneException.BadResponseCode, $"[sec0] remote decision failed: POST {endpoint} answered with a body that is not JSON ({ex.Message}).", status, false, ex);
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("decision", out var decision) && decision.ValueKind == JsonValueKind.Object
                && decision.TryGetProperty("action", out var actionElement) && actionElement.ValueKind == JsonValueKind.String
                && actionElement.GetString() switch
                {
                    DecisionNames.Allow => RemoteAction.Allow,
                    DecisionNames.Deny => RemoteAction.Deny,
                    DecisionNames.Escalate => RemoteAction.Escalate,
                    "clarify" => RemoteAction.Clarify,
                    _ => (RemoteAction?)null,
                } is { } action)
            {
                // decision.reason, else (for a non-allow) the first of decision.reasons, as the spec's reference client reads it.
                var reason = Text(decision, "reason");
                if (reason is null && action != RemoteAction.Allow && decision.TryGetProperty("reasons", out var reasons) && reasons.ValueKind == JsonValueKind.Array)
                {
                    reason = reasons.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String).Select(r => Clean(r.GetString())).FirstOrDefault(r => r is not null);
                }

                return new RemoteAnswer(action, reason);
            }

            throw new ControlPlaneException(
                ControlPlaneException.BadResponseCode,
                $"[sec0] remote decision failed: POST {endpoint} answered without a decision whose action is allow, deny, escalate or clarify.",
                status);
        }
    }

    private static string? Text(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? Clean(value.GetString()) : null;

    private static string? Clean(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : ControlPlaneErrors.Printable(text, RemoteDecider.MaxReasonLength) is { Length: > 0 } clean ? clean : null;
}

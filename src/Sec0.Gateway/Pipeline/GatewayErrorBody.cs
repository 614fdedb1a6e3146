using System.Buffers;
using System.Text.Json;
using Sec0.Audit;

namespace Sec0.Gateway.Pipeline;

/// <summary>
/// The JSON body of an error: <c>{"error", "message"}</c> as Sec0's TypeScript gateway writes it, plus
/// <c>denial_level</c>, <c>denial_reason</c> and <c>denial_type</c> for denials and <c>upstream_status</c> when a
/// tool server answered with an error status, and <c>escalation_id</c> / <c>escalation_status</c> for an escalated call.
/// </summary>
internal static class GatewayErrorBody
{
    public static byte[] Write(GatewayError error, int? upstreamStatus, bool escalated, string? escalationId = null, string? escalationStatus = null)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("error"u8, error.Code);
            writer.WriteString("message"u8, error.Message);
            if (error.IsPolicyDenial)
            {
                writer.WriteString("denial_level"u8, DenialLevels.Gateway);
                writer.WriteString("denial_reason"u8, error.Reason);
                writer.WriteString("denial_type"u8, DenialTypes.Of(escalated));
            }

            if (escalationId is not null)
            {
                writer.WriteString("escalation_id"u8, escalationId);
                writer.WriteString("escalation_status"u8, escalationStatus);
            }

            if (upstreamStatus is { } status && error.Status is 502 or 503)
            {
                writer.WriteNumber("upstream_status"u8, status);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}

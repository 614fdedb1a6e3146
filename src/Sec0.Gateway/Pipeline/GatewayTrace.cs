using System.Diagnostics;
using Microsoft.Extensions.Primitives;

namespace Sec0.Gateway.Pipeline;

/// <summary>
/// The gateway span of one request: a child of the caller's W3C <c>traceparent</c> when it sent a valid one, a new
/// trace otherwise. An invalid <c>traceparent</c> is ignored, as the W3C Trace Context spec asks, not refused: tracing
/// must never fail a call. Its ids are on every response (<c>x-trace-id</c>, <c>x-span-id</c>, <c>traceparent</c>) and
/// in the envelope.
/// </summary>
internal readonly struct GatewayTrace
{
    public const string TraceParentHeader = "traceparent";
    public const string TraceStateHeader = "tracestate";

    private GatewayTrace(ActivityTraceId traceId, ActivitySpanId spanId, ActivityContext? parent, ActivityTraceFlags flags)
    {
        TraceId = traceId;
        SpanId = spanId;
        Parent = parent;
        Flags = flags;
    }

    public ActivityTraceId TraceId { get; }

    public ActivitySpanId SpanId { get; }

    /// <summary>The caller's span, when it sent a valid <c>traceparent</c>.</summary>
    public ActivityContext? Parent { get; }

    public ActivityTraceFlags Flags { get; }

    /// <summary>The caller's span from its <c>traceparent</c> (and <c>tracestate</c>); null when absent, repeated or invalid.</summary>
    public static ActivityContext? ParseParent(StringValues traceParent, StringValues traceState)
        => traceParent.Count == 1 && ActivityContext.TryParse(traceParent[0], traceState.Count == 1 ? traceState[0] : null, isRemote: true, out var parsed)
            ? parsed
            : null;

    /// <summary>The ids of the request's span: those of <paramref name="activity"/> when one was started, otherwise made here.</summary>
    public static GatewayTrace Create(ActivityContext? parent, Activity? activity)
        => activity is not null
            ? new GatewayTrace(activity.TraceId, activity.SpanId, parent, activity.ActivityTraceFlags)
            : new GatewayTrace(
                parent?.TraceId ?? ActivityTraceId.CreateRandom(),
                ActivitySpanId.CreateRandom(),
                parent,
                parent?.TraceFlags ?? ActivityTraceFlags.Recorded);

    /// <summary>Sets <c>x-trace-id</c>, <c>x-span-id</c> and <c>traceparent</c>, which every answer of the gateway carries.</summary>
    public void WriteHeaders(Microsoft.AspNetCore.Http.HttpResponse response)
    {
        response.Headers["x-trace-id"] = TraceId.ToHexString();
        response.Headers["x-span-id"] = SpanId.ToHexString();
        response.Headers[TraceParentHeader] = ToTraceParent();
    }

    /// <summary>The <c>traceparent</c> of the gateway's span, returned to the caller and forwarded upstream.</summary>
    public string ToTraceParent()
        => "00-" + TraceId.ToHexString() + "-" + SpanId.ToHexString() + ((Flags & ActivityTraceFlags.Recorded) != 0 ? "-01" : "-00");
}

using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Sec0.Mcp;

/// <summary>Reads the W3C trace context a client sends in <c>params._meta.traceparent</c> (and <c>tracestate</c>).</summary>
internal static class W3CTraceParent
{
    public static bool TryRead(JsonObject? meta, out ActivityContext context)
    {
        context = default;
        if (meta is null || !TryGetString(meta, "traceparent", out var traceparent))
        {
            return false;
        }

        TryGetString(meta, "tracestate", out var tracestate);
        return ActivityContext.TryParse(traceparent, tracestate, isRemote: true, out context);
    }

    /// <summary>A string member of <c>_meta</c>; false when it is absent or not a JSON string.</summary>
    public static bool TryGetString(JsonObject meta, string name, out string? value)
    {
        value = null;
        if (meta.TryGetPropertyValue(name, out var node) && node is JsonValue json && json.TryGetValue<string>(out var text))
        {
            value = text;
            return true;
        }

        return false;
    }
}

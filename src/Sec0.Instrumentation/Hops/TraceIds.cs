using System.Buffers.Binary;
using System.Diagnostics;

namespace Sec0.Hops;

/// <summary>
/// A W3C trace id and span id as plain numbers. A hop call keeps its ids this way so the caller's
/// thread allocates no hex strings; the audit writer formats them.
/// </summary>
internal readonly record struct TraceIds(ulong TraceHigh, ulong TraceLow, ulong Span)
{
    public bool IsEmpty => TraceHigh == 0 && TraceLow == 0 && Span == 0;

    /// <summary>A new span in <paramref name="trace"/>'s trace, or in a new random trace.</summary>
    public static TraceIds NewSpan(TraceIds? trace)
    {
        var span = (ulong)Random.Shared.NextInt64() | 1; // never all zeros (invalid in W3C)
        return trace is { } t
            ? new TraceIds(t.TraceHigh, t.TraceLow, span)
            : new TraceIds((ulong)Random.Shared.NextInt64(), (ulong)Random.Shared.NextInt64() | 1, span);
    }

    /// <summary>The ids of an Activity.</summary>
    public static TraceIds From(Activity activity)
    {
        Span<byte> trace = stackalloc byte[16];
        Span<byte> span = stackalloc byte[8];
        activity.TraceId.CopyTo(trace);
        activity.SpanId.CopyTo(span);
        return new TraceIds(BinaryPrimitives.ReadUInt64BigEndian(trace), BinaryPrimitives.ReadUInt64BigEndian(trace[8..]), BinaryPrimitives.ReadUInt64BigEndian(span));
    }

    /// <summary>Writes the 32 lowercase hex digits of the trace id.</summary>
    public void FormatTrace(Span<char> destination)
    {
        TraceHigh.TryFormat(destination, out _, "x16");
        TraceLow.TryFormat(destination[16..], out _, "x16");
    }

    /// <summary>Writes the 16 lowercase hex digits of the span id.</summary>
    public void FormatSpan(Span<char> destination) => Span.TryFormat(destination, out _, "x16");

    public string TraceHex()
    {
        Span<char> c = stackalloc char[32];
        FormatTrace(c);
        return new string(c);
    }

    public string SpanHex()
    {
        Span<char> c = stackalloc char[16];
        FormatSpan(c);
        return new string(c);
    }
}

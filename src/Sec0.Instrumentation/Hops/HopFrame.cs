using Sec0.Audit;

namespace Sec0.Hops;

/// <summary>
/// One hop call while it runs: what <see cref="HopPipeline"/>'s ambient frame holds in the call's asynchronous flow and
/// what its <see cref="HopInvocation"/> carries to the end of the call. It names the hop, the frame of the hop that
/// called it, and the envelope that will record it.
/// </summary>
/// <remarks>
/// The run id and trace ids are the envelope's: the audit writer formats them from there, and a second copy here
/// would cost every call 40 bytes. They are set before the frame is shared and never change.
/// </remarks>
internal sealed class HopFrame
{
    public HopFrame(AuditEnvelope envelope, HopDescriptor hop, HopFrame? parent)
    {
        Envelope = envelope;
        Hop = hop;
        Parent = parent;
    }

    /// <summary>The envelope this call is recorded with, queued to the appender when the call ends.</summary>
    public AuditEnvelope Envelope { get; }

    /// <summary>The hop called, so its guard can recognise a re-entry of a call still running.</summary>
    public HopDescriptor Hop { get; }

    /// <summary>The frame of the hop running when this one started, in the same asynchronous flow; null for a root hop.</summary>
    public HopFrame? Parent { get; }

    /// <summary>The run: shared by a root hop and every hop below it.</summary>
    public Guid RunId => Envelope.RunId;

    /// <summary>This call's trace and span ids.</summary>
    public TraceIds Ids => Envelope.Ids;

    /// <summary>Set to 1 (once, by whichever ends the call first) when the call is recorded.</summary>
    public int Recorded;
}

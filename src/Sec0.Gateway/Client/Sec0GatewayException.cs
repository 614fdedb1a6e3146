namespace Sec0.Gateway;

/// <summary>
/// The gateway refused or could not complete a call: its HTTP status, its <c>error</c> code and <c>message</c>, and
/// for denials the <c>denial_reason</c>. The trace ids name the gateway's record of the call.
/// </summary>
public sealed class Sec0GatewayException : Sec0Exception
{
    /// <summary>Creates the exception.</summary>
    public Sec0GatewayException(int statusCode, string error, string message, string? denialReason, string? traceId, string? spanId)
        : base(error, message)
    {
        StatusCode = statusCode;
        Error = error;
        DenialReason = denialReason;
        TraceId = traceId;
        SpanId = spanId;
    }

    /// <summary>The HTTP status (400, 401, 403, 409, 422, 429, 502, 503, 504, ...).</summary>
    public int StatusCode { get; }

    /// <summary>The gateway's <c>error</c> code, e.g. <c>TOOL_NOT_ALLOWED</c>, <c>RATE_LIMITED</c>.</summary>
    public string Error { get; }

    /// <summary>The policy reason of a denial (<c>denial_reason</c>), if it was one.</summary>
    public string? DenialReason { get; }

    /// <summary>The gateway span's trace id (<c>x-trace-id</c>).</summary>
    public string? TraceId { get; }

    /// <summary>The gateway span's id (<c>x-span-id</c>).</summary>
    public string? SpanId { get; }
}

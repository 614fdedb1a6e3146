namespace Sec0.ControlPlane;

/// <summary>
/// A control-plane call failed. <see cref="IsRetryable"/> tells a transient failure (timeout, dropped connection,
/// 429, 5xx) from one that repeating cannot fix (401, 403, a bad response body). Callers on the local path never
/// see it: they fall back (last good policy, local decision, a later upload) and log it.
/// </summary>
public sealed class ControlPlaneException : Sec0Exception
{
    /// <summary>Code of a refused credential (401 or 403).</summary>
    public const string UnauthorizedCode = "CONTROL_PLANE_UNAUTHORIZED";

    /// <summary>Code of an unreachable, slow or failing control plane (timeouts, dropped connections, 429, 5xx).</summary>
    public const string UnavailableCode = "CONTROL_PLANE_UNAVAILABLE";

    /// <summary>Code of a response that is not what the contract says (bad JSON, missing fields, oversized, other 4xx).</summary>
    public const string BadResponseCode = "CONTROL_PLANE_BAD_RESPONSE";

    /// <summary>Code of a missing or unusable setting (no URL, no API key).</summary>
    public const string NotConfiguredCode = "CONTROL_PLANE_NOT_CONFIGURED";

    /// <summary>Creates the exception.</summary>
    public ControlPlaneException(string code, string message, int? statusCode = null, bool isRetryable = false, Exception? innerException = null)
        : base(code, message, innerException)
    {
        StatusCode = statusCode;
        IsRetryable = isRetryable;
    }

    /// <summary>The HTTP status the control plane answered with; null when there was no answer.</summary>
    public int? StatusCode { get; }

    /// <summary>Whether trying again later may succeed.</summary>
    public bool IsRetryable { get; }
}

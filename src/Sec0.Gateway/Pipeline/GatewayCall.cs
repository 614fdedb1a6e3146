using Sec0.Gateway.Auth;
using Sec0.Policy;

namespace Sec0.Gateway.Pipeline;

/// <summary>What one request has established so far, for its response and its envelope.</summary>
internal sealed class GatewayCall(GatewayTrace trace, long started)
{
    public GatewayTrace Trace { get; } = trace;

    public long Started { get; } = started;

    public ToolRoute? Route { get; set; }

    public CallerHeaders? Headers { get; set; }

    public GatewayPrincipal? Principal { get; set; }

    /// <summary>Why the credential was refused (logged, never returned to the caller).</summary>
    public string? AuthFailure { get; set; }

    /// <summary>The arguments' canonical JSON (as received for malformed input), the bytes <c>input_sha256</c> is over.</summary>
    public byte[]? CanonicalInput { get; set; }

    /// <summary>SHA-256 hex of <see cref="CanonicalInput"/>, when idempotency already computed it.</summary>
    public string? InputSha256 { get; set; }

    public Decision? Decision { get; set; }

    /// <summary>The <c>policy_hash</c> of the control-plane policy <see cref="Decision"/> was made with; null for a local policy.</summary>
    public string? PolicyHash { get; set; }

    public GatewayLease? Lease { get; set; }

    /// <summary>The escalation of an escalated call, or of the approval token it presented.</summary>
    public string? EscalationId { get; set; }

    /// <summary>That escalation's status (<c>pending</c>, <c>approved</c>, …).</summary>
    public string? EscalationStatus { get; set; }

    /// <summary>Why no escalation could be created for an escalated call.</summary>
    public string? EscalationError { get; set; }

    /// <summary>Which shared-state store failed for this request (idempotency or quota), if one did.</summary>
    public string? StateFailure { get; set; }

    public int? UpstreamStatus { get; set; }

    /// <summary>The bytes of the answer, the bytes <c>output_sha256</c> is over.</summary>
    public byte[]? ResponseBody { get; set; }

    public bool Aborted { get; set; }
}

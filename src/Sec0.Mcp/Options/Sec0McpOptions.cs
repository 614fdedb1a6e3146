using System.Reflection;
using Sec0.Config;
using Sec0.Policy;
using Sec0.Signing;

namespace Sec0.Mcp;

/// <summary>
/// Options of <c>WithSec0Security</c> (see <see cref="Microsoft.Extensions.DependencyInjection.Sec0McpServerBuilderExtensions"/>),
/// mirroring Sec0's middleware options: policy, signer, otel, sec0 (audit directory), sast and dast.
/// Validated when the host starts: a missing or invalid option fails start-up with a message that names it.
/// </summary>
public sealed class Sec0McpOptions
{
    /// <summary>The <c>params._meta</c> key a client puts an idempotency key under.</summary>
    public const string IdempotencyKeyMetaName = "x-idempotency-key";

    /// <summary>The <c>params._meta</c> key a client retries an escalated call with; removed before the tool runs.</summary>
    public const string ApprovalTokenMetaName = "x-sec0-approval-token";

    /// <summary>
    /// The policy. Give exactly one of <see cref="Policy"/>, <see cref="PolicyYaml"/> or <see cref="PolicyPath"/>.
    /// </summary>
    public PolicyDocument? Policy { get; set; }

    /// <summary>The policy as YAML text (the contents of a policy.yaml).</summary>
    public string? PolicyYaml { get; set; }

    /// <summary>The path of a policy.yaml file, relative to the current directory or absolute.</summary>
    public string? PolicyPath { get; set; }

    /// <summary>
    /// The audit signer. Give <see cref="Signer"/> or <see cref="SignerKeyRef"/>; the signer given here is
    /// owned by the caller and not disposed.
    /// </summary>
    public AuditSigner? Signer { get; set; }

    /// <summary>A signing key ref such as <c>file://./.sec0/keys/ed25519.key</c> (see <see cref="LocalDevSigner.FromKeyRef"/>).</summary>
    public string? SignerKeyRef { get; set; }

    /// <summary>Trace settings: the service name and environment tagged on every tool-call span.</summary>
    public Sec0McpOtelOptions Otel { get; set; } = new();

    /// <summary>The local audit log: directory and retention.</summary>
    public Sec0McpAuditOptions Sec0 { get; set; } = new();

    /// <summary>SAST verdicts, keyed by the tool's compile-time body hash; blocking is the policy's <c>sast</c> block.</summary>
    public Sec0McpScanOptions Sast { get; set; } = new();

    /// <summary>DAST verdicts, keyed by the tool's compile-time body hash; blocking is the policy's <c>dast</c> block.</summary>
    public Sec0McpScanOptions Dast { get; set; } = new();

    /// <summary>
    /// The assemblies whose hop manifest holds the compile-time body hashes of the <c>[McpServerTool]</c> methods
    /// (projects built with the Sec0 generator). The entry assembly is always read when it has a manifest.
    /// </summary>
    public IList<Assembly> ToolAssemblies { get; } = new List<Assembly>();

    /// <summary>The tenant written to every envelope; defaults to the policy's <c>tenant</c>.</summary>
    public string? Tenant { get; set; }

    /// <summary>The clock; null for the system clock. Tests pass a fake one.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>
    /// Human approvals of escalated calls (docs/approvals.md): an escalated call gets an escalation (its id and status in
    /// the error result's <c>_meta.sec0</c>), and a retry with its token in <c>_meta["x-sec0-approval-token"]</c> runs
    /// once. Null (the default): escalated calls are refused without an escalation.
    /// </summary>
    public Sec0McpApprovalOptions? Approvals { get; set; }

    /// <summary>How long creating an escalation may take before the call is refused without one (default 2.5 s, as <c>SEC0_ESCALATION_TIMEOUT_MS</c>).</summary>
    public TimeSpan EscalationTimeout { get; set; } = TimeSpan.FromMilliseconds(2500);

    /// <summary>
    /// Remote decisions (docs/control-plane.md): a call the policy finds violations in is decided by the remote engine
    /// (<c>POST /v1/runtime/evaluate</c>, <c>executionLayer: middleware</c>) within the config's budget, or by its failure
    /// mode when the engine is late or fails; envelopes then carry <c>decision_source</c>. A host that reads
    /// <c>sec0.config.yaml</c> passes <c>Sec0Config.ControlPlane.Runtime</c>. Null (the default): decisions are local only.
    /// </summary>
    public RemoteDecisionConfig? RemoteDecisions { get; set; }
}

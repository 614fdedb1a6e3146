using Sec0.Audit;
using Sec0.Config;
using Sec0.Gateway.Auth;
using Sec0.Gateway.Entitlements;
using Sec0.Gateway.State;
using Sec0.Gateway.Upstreams;
using Sec0.Policy;

namespace Sec0.Gateway;

/// <summary>
/// Everything the gateway needs, from code (<c>AddSec0Gateway(o =&gt; ...)</c>) or from the <c>gateway:</c> block of
/// sec0.config.yaml (<c>GatewayConfigLoader</c>). Checked once when the gateway starts: a missing or wrong
/// option fails start-up with a message that names it, never the first request.
/// </summary>
public sealed class Sec0GatewayOptions
{
    /// <summary>The gateway's name, in every envelope's <c>gateway</c> field as <c>name@version</c>.</summary>
    public string Name { get; set; } = "sec0-gateway";

    /// <summary>The gateway's version.</summary>
    public string Version { get; set; } = "1.0.0";

    /// <summary>The tenant of callers when no authentication is configured, and of the envelopes. Required.</summary>
    public string? Tenant { get; set; }

    /// <summary>The <c>environment</c> written in envelopes (dev, staging, prod), if any.</summary>
    public string? Environment { get; set; }

    /// <summary>For <c>Sec0Gateway.StartAsync</c>: the address to listen on (default 127.0.0.1).</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>For <c>Sec0Gateway.StartAsync</c>: the port (default 8080; 0 picks a free one).</summary>
    public int Port { get; set; } = 8080;

    /// <summary>The servers behind the gateway, by the name callers use in <c>/mcp/{server}/...</c>.</summary>
    public IDictionary<string, GatewayTarget> Targets { get; } = new Dictionary<string, GatewayTarget>(StringComparer.Ordinal);

    /// <summary>
    /// The validators of bearer credentials (service tokens, OIDC JWTs). None: no authentication, every caller
    /// is <see cref="Tenant"/> (and an <c>x-tenant</c> naming another tenant is refused).
    /// </summary>
    public IList<IGatewayCredentialValidator> CredentialValidators { get; } = new List<IGatewayCredentialValidator>();

    /// <summary>Who may call what, and the quotas; null: every authenticated caller may call every tool, no quotas.</summary>
    public GatewayEntitlements? Entitlements { get; set; }

    /// <summary>
    /// Where quota counters live. Required when entitlements set any quota (<c>InMemoryQuotaStore</c> for one process),
    /// unless <see cref="PostgresState"/> is set.
    /// </summary>
    public IQuotaStore? QuotaStore { get; set; }

    /// <summary>Idempotency: on by default, in memory unless <see cref="GatewayDedupeOptions.Store"/> is set.</summary>
    public GatewayDedupeOptions Dedupe { get; } = new();

    /// <summary>The policy every call is decided with (tools allowlist, version pinning, limits, enforcement); null: allow, record only.</summary>
    public PolicyDocument? Policy { get; set; }

    /// <summary>
    /// Idempotency records and quota counters in PostgreSQL, shared by replicas (<c>gateway.state</c>); opened, and its
    /// tables migrated, when the gateway starts. Null (the default): both in this process's memory. Not together with
    /// <see cref="QuotaStore"/> or <see cref="GatewayDedupeOptions.Store"/>.
    /// </summary>
    public GatewayPostgresStateOptions? PostgresState { get; set; }

    /// <summary>
    /// What a request does when the shared state (idempotency records, quota counters) cannot be reached:
    /// false (the default) answers 503 <c>STATE_UNAVAILABLE</c>; true forwards the call without that state
    /// (no replay protection, no quota), recorded as <c>state_unavailable</c>. <c>gateway.state.fail_open</c>.
    /// </summary>
    public bool StateFailOpen { get; set; }

    /// <summary>
    /// Human approvals of escalated calls (docs/approvals.md): an escalated call gets an escalation, and a retry with
    /// its approval token (<c>x-sec0-approval-token</c>) runs once. The config loader sets it when the policy sets
    /// <c>security.side_effects.approve_high_risk: true</c> (escalations in <c>approvals.dir</c>, reviewers from
    /// <c>approvals.groups</c>, records in the gateway's audit log). Null: escalated calls are refused without an escalation.
    /// </summary>
    public Sec0.Approvals.ApprovalService? Approvals { get; set; }

    /// <summary>
    /// The reviewer page the gateway serves for <see cref="Approvals"/> (docs/approvals.md, "The reviewer page"): people
    /// sign in with a reviewer token and approve or reject, under <c>/reviewer</c>. Default true; false: every page
    /// route answers 404 (map <c>MapSec0ReviewerPage</c> yourself for another path).
    /// </summary>
    public bool ReviewerPage { get; set; } = true;

    /// <summary>
    /// Set by the config loader when approvals are on and the state is in PostgreSQL: the gateway then opens the
    /// approvals over the shared database when it starts (the escalations and the token secret shared by replicas).
    /// </summary>
    internal Sec0.Approvals.ApproverGroups? SharedApprovalGroups { get; set; }

    /// <summary>The retention of those shared escalations (<c>approvals.retention_days</c>).</summary>
    internal TimeSpan? SharedApprovalRetention { get; set; }

    /// <summary>How long creating an escalation may take before the call is refused without one (<c>SEC0_ESCALATION_TIMEOUT_MS</c>, default 2.5 s).</summary>
    public TimeSpan EscalationTimeout { get; set; } = TimeSpan.FromMilliseconds(2500);

    /// <summary>The signed audit log every request is recorded in. Required.</summary>
    public AuditAppender? Appender { get; set; }

    /// <summary>Record a hash of the caller's user and agent instead of the names (<c>privacy.redact_identities</c>).</summary>
    public bool RedactIdentities { get; set; }

    /// <summary>The largest request body accepted when the policy sets no <c>max_payload_kb</c> (default 1 MiB).</summary>
    public long DefaultMaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>How long a tool call may run when the policy sets no <c>max_duration_ms</c> (default 30 s).</summary>
    public TimeSpan DefaultMaxDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock (tests use a fake one).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Remote decisions (<c>controlPlane.runtime</c>, docs/control-plane.md): a request the policy finds violations in is
    /// decided by the remote engine (<c>executionLayer: gateway</c>) within the config's budget, or by its failure mode
    /// when the engine is late or fails; envelopes then carry <c>decision_source</c>. Entitlement refusals stay the
    /// gateway's. Null (the default): decisions are local only.
    /// </summary>
    public RemoteDecisionConfig? RemoteDecisions { get; set; }

    /// <summary>What the gateway opened for these options (the audit log and key of a config file) and disposes when it stops.</summary>
    internal List<object> Owned { get; } = [];

    /// <summary>
    /// The control plane the config names (docs/control-plane.md): with <c>policy: { source: control-plane }</c> the
    /// gateway decides with its policy and follows its refreshes. Set by <see cref="GatewayConfigLoader"/>.
    /// </summary>
    public Sec0.ControlPlane.ControlPlaneConnection? ControlPlane { get; set; }

    /// <summary>Upstreams made by hand (tests, custom transports), by server name; they take precedence over <see cref="Targets"/>.</summary>
    public IDictionary<string, IGatewayUpstream> Upstreams { get; } = new Dictionary<string, IGatewayUpstream>(StringComparer.Ordinal);
}

namespace Sec0.Instrumentation.Tests.Policy;

/// <summary>Policy texts shared by the policy tests and the fuzz test.</summary>
internal static class PolicySamples
{
    /// <summary>Sec0's quickstart policy, exactly as its README shows it.</summary>
    public const string Quickstart = """
        tenant: demo
        default_retention: 30d
        signing: { enabled: true, key_ref: file://./.sec0/keys/ed25519.key }
        tools: { allowlist: ["*"] }
        enforcement: { deny_on: [] }
        """;

    /// <summary>Every block, every key.</summary>
    public const string Full = """
        tenant: acme
        default_retention: 90d
        signing:
          enabled: true
          key_ref: file:///etc/sec0/keys/ed25519.key
        tools:
          allowlist:
            - mcp://vision/*@*
            - mcp://files/read_file@1.2.0
            - mcp://search/query
          deny_if_unpinned_version: true
        enforcement:
          mode: enforce
          strategy: deny_on_match
          deny_on: [tool_not_in_allowlist, egress_violation, sast_failed, payload_too_large]
          escalate_on: [payload_too_large]
          circuit_breakers:
            error_rate_pct: 50
            p95_latency_ms: 2000
            min_samples: 10
        security:
          allow_versions:
            mcp://files/read_file: ["1.2.0", "1.2.1"]
          egress_allowlist:
            - https://api.ok.com
            - https://*.cdn.ok.com/assets/*
          fs_allowlist: [/srv/data, ./workspace]
          limits: { max_payload_kb: 256, max_duration_ms: 30000 }
          side_effects:
            require_idempotency_key: true
            approve_high_risk: true
            human_escalation:
              approval_strategy: human_quorum
              timeout_action: auto_reject
              min_approvals: 2
              required_roles: [security]
              veto_roles: [ciso]
        sast:
          enabled: true
          block_on_change: true
          block_on_severity: high
          cache_ttl_ms: 86400000
          scan_all_on_server_change: false
          fail_on_error: true
        dast:
          enabled: true
          sandbox_url: https://sandbox.ok.com
          mode: async
          scope: tool
          block_on_severity: medium
          block_on_count: 3
          rule_ttl_ms: 3600000
          templates: /opt/nuclei-templates
          tags: [cwe, owasp]
          exclude_tags: [dos]
          severity: [medium, high, critical]
        """;
}

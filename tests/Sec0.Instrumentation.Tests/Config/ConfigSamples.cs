namespace Sec0.Instrumentation.Tests.Config;

/// <summary>Config texts shared by the loader tests and the fuzz seeds.</summary>
internal static class ConfigSamples
{
    public const string Minimal = """
        app:
          tenant: demo
          environment: dev
        controlPlane:
          sec0Dir: ./.sec0
          localSignerPath: ./.sec0/keys/ed25519.key
        """;

    /// <summary>Every hop type, every block, fallbacks left to apply, and an unknown block to ignore.</summary>
    public const string Full = """
        app:
          tenant: acme
          environment: Staging
          client: { name: demo-agents, version: "1.0.0" }
          hops:
            Research.Run:
              type: agent
              nodeId: research
              agentName: research-agent
              agentVersion: "2.1.0"
              enforcement:
                mode: observe
                strategy: deny_on_any
                deny_on: [payload_too_large, version_unpinned]
                escalate_on: [payload_too_large]
            Workflow.Orchestrate: { type: orchestrator, nodeId: workflow }
            Gateway.Call: { type: gateway, gateway: main-gw, nodeId: gw }
            Gateway.Own: { type: gateway, gateway: gw2, nodeId: gw2, gatewayBaseUrl: "https://own.example", tenant: other, authHeader: "Basic abc" }
            Files.Server: { type: server, server: files, nodeId: files-server }
            Auth.Check: { type: middleware, middleware: authz, op: check, nodeId: mw }
            Files.Read: { type: tool, server: files, tool: read_file, nodeId: files-read }
            Summarize.Skill: { type: skill, skill: summarize, nodeId: skill-1 }
        orchestrator:
          gatewayBaseUrl: https://gateway.example
        controlPlane:
          apiBaseUrl: https://cp.example
          sec0Dir: ./.sec0
          localSignerPath: ./.sec0/keys/ed25519.key
          retentionDays: 7
        audit:
          flush: always
          signing: checkpoint
          checkpointEvery: 500
          checkpointIntervalMs: 250
          channelCapacity: 1024
        observability: { from: the-typescript-sdk, rules: [1, 2, 3] }
        """;

    /// <summary>Anchors, aliases and merge keys.</summary>
    public const string Anchors = """
        x-defaults:
          agent: &agentDefaults
            type: agent
            agentVersion: "1.0.0"
          node: &sharedNode shared-node
        app:
          tenant: demo
          environment: dev
          hops:
            A.Run:
              <<: *agentDefaults
              nodeId: a
              agentName: a
            B.Run:
              <<: [*agentDefaults, { agentName: from-second-merge, nodeId: ignored }]
              nodeId: *sharedNode
              agentVersion: "2.0.0"
        controlPlane: &cp
          sec0Dir: ./.sec0
          localSignerPath: ./.sec0/keys/ed25519.key
        """;
}

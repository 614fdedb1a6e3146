using System.Text.Json;
using Sec0.Hops;
using Sec0.Instrumentation.Tests.Support;
using Sec0.Tests.Shared;

namespace Sec0.Instrumentation.Tests.Audit;

/// <summary>
/// A hop's envelope keeps the fields tools built for Sec0's TypeScript SDK read: the same call as a real TS-written
/// agent line gives the same member names and types, and the same values where they are not ids, times or hashes.
/// The lists below are the documented differences (docs/audit-format.md, "Compared with the TypeScript SDK").
/// </summary>
[Collection(nameof(Sec0AppCollection))]
public class TsHopEnvelopeShapeTests
{
    private static readonly HopDescriptor s_agent = new("OrderAgent.Run", HopType.Agent, "sha256:v1:" + new string('c', 64), "OrderAgent.cs", 1, 5, "Task OrderAgent.Run()");

    [Fact]
    public async Task An_agent_hop_line_has_every_member_of_the_TS_line_with_the_same_type_and_value()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("policy.yaml"), "tenant: demo\ndefault_retention: 90d\n");
        File.WriteAllText(dir.Combine("sec0.config.yaml"), """
            app:
              tenant: demo
              environment: dev
              client: { name: demo-agents, version: "1.0.0" }
              hops:
                OrderAgent.Run: { type: agent, nodeId: order-agent, agentName: order-agent, agentVersion: "1.0.0" }
            policy: ./policy.yaml
            controlPlane:
              sec0Dir: ./.sec0
              localSignerPath: ./.sec0/keys/ed25519.key
            """);
        string line;
        await using (var app = Sec0App.Initialize(dir.Combine("sec0.config.yaml"), new Sec0AppOptions { CreateSigningKeyIfMissing = true }))
        {
            HopRuntime.Begin(s_agent).Complete();
            await app.FlushAsync();
            line = Directory.GetFiles(app.AuditDirectory, "audit-*.ndjson").SelectMany(File.ReadAllLines).Single(l => !l.Contains("\"record\":", StringComparison.Ordinal));
        }

        var problems = TsEnvelopeShape.Compare(
            TsEnvelopeShape.TsAgentHopLine,
            line,
            varying: Set("ts", "trace_id", "span_id", "latency_ms", "agentRef", "agentVariables.AGENT.latency_ms", "sig"),
            // TS: an agent with no caller names itself as its cause. policy_hash: .NET writes it only for a control-plane policy (this app uses a file).
            absent: Set("cause_trace_id", "cause_span_id", "policy_hash"),
            renamed: new Dictionary<string, string>(),
            otherValue: Set(),
            // .NET hops take no idempotency key: null, the type TS declares for it (string | null).
            nullable: Set("idempotency_key"),
            added: Set("v", "seq", "prev", "key_id", "hop", "hop_hash"));

        Assert.True(problems.Count == 0, string.Join("\n", problems));

        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        Assert.StartsWith("ed25519:", root.GetProperty("sig").GetString());
        Assert.Matches("^[0-9a-f]{32}$", root.GetProperty("agentRef").GetString());
        Assert.Equal("OrderAgent.Run", root.GetProperty("hop").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("idempotency_key").ValueKind);
    }

    [Fact]
    public async Task With_remote_decisions_configured_the_line_adds_decision_source_and_nothing_else()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("policy.yaml"), "tenant: demo\ndefault_retention: 90d\n");
        // Nothing listens on the endpoint: an allowed call never reaches it.
        File.WriteAllText(dir.Combine("sec0.config.yaml"), """
            app:
              tenant: demo
              environment: dev
              client: { name: demo-agents, version: "1.0.0" }
              hops:
                OrderAgent.Run: { type: agent, nodeId: order-agent, agentName: order-agent, agentVersion: "1.0.0" }
            policy: ./policy.yaml
            controlPlane:
              sec0Dir: ./.sec0
              localSignerPath: ./.sec0/keys/ed25519.key
              runtime: { mode: remote, endpoint: "http://127.0.0.1:9/v1/runtime/evaluate" }
            """);
        string line;
        await using (var app = Sec0App.Initialize(dir.Combine("sec0.config.yaml"), new Sec0AppOptions { CreateSigningKeyIfMissing = true }))
        {
            HopRuntime.Begin(s_agent).Complete();
            await app.FlushAsync();
            line = Directory.GetFiles(app.AuditDirectory, "audit-*.ndjson").SelectMany(File.ReadAllLines).Single(l => !l.Contains("\"record\":", StringComparison.Ordinal));
        }

        var problems = TsEnvelopeShape.Compare(
            TsEnvelopeShape.TsAgentHopLine,
            line,
            varying: Set("ts", "trace_id", "span_id", "latency_ms", "agentRef", "agentVariables.AGENT.latency_ms", "sig"),
            absent: Set("cause_trace_id", "cause_span_id", "policy_hash"),
            renamed: new Dictionary<string, string>(),
            otherValue: Set(),
            nullable: Set("idempotency_key"),
            added: Set("v", "seq", "prev", "key_id", "hop", "hop_hash", "decision_source"));

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        using var doc = JsonDocument.Parse(line);
        Assert.Equal("local", doc.RootElement.GetProperty("decision_source").GetString());
    }

    private static HashSet<string> Set(params string[] names) => new(names, StringComparer.Ordinal);
}

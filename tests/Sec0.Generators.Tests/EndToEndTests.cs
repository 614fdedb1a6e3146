using System.Text.Json;
using Sec0.Audit;
using Sec0.Generators.Tests.Infrastructure;
using Sec0.Signing;

namespace Sec0.Generators.Tests;

/// <summary>
/// Generated interceptors against the real runtime: config, signing key and audit appender. Each call
/// leaves one signed envelope with the hop's identity and compile-time hash, and the log verifies.
/// </summary>
[Collection(nameof(RunTests))]
public sealed class EndToEndTests : IDisposable
{
    private const string Source = """
        using System;
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using Sec0;

        namespace App;

        public class OrderAgent
        {
            [Sec0Hop(Type = HopType.Agent)]
            public async Task<string> Run(string order) { await Task.Yield(); return "receipt:" + order + ":" + new Pricing().Quote(order.Length); }
        }

        public class Pricing
        {
            [Sec0Hop("pricing.quote")]
            public int Quote(int items) => items * 10;
        }

        public static class Workflow
        {
            [Sec0Hop(Type = HopType.Orchestrator)]
            public static async Task<string> Orchestrate(string order)
            {
                var agent = new OrderAgent();
                var r = await agent.Run(order);
                try { Fail(); } catch (InvalidOperationException) { }
                await foreach (var _ in Stream()) { }
                return r;
            }

            [Sec0Hop] public static void Fail() => throw new InvalidOperationException("boom");
            [Sec0Hop] public static async IAsyncEnumerable<int> Stream() { await Task.Yield(); yield return 1; }
        }

        public static class Entry
        {
            public static Task<string> Go() => Workflow.Orchestrate("abc");
        }
        """;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sec0-e2e", Guid.NewGuid().ToString("N"));

    public EndToEndTests()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "sec0.config.yaml"), """
            app:
              tenant: demo
              environment: dev
              client: { name: e2e, version: "1.0.0" }
              hops:
                Workflow.Orchestrate: { type: orchestrator, nodeId: workflow }
                OrderAgent.Run: { type: agent, nodeId: order-agent, agentName: order-agent, agentVersion: "1.0.0" }
                pricing.quote: { type: tool, nodeId: pricing, server: pricing, tool: quote }
                Workflow.Fail: { type: skill, nodeId: fail, skill: fail }
                Workflow.Stream: { type: skill, nodeId: stream, skill: stream }
            controlPlane:
              sec0Dir: ./.sec0
              localSignerPath: ./.sec0/keys/ed25519.key
            """);
    }

    public void Dispose()
    {
        Sec0App.Current?.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Every_call_leaves_one_envelope_that_verifies_with_the_hops_identity()
    {
        using var asm = LoadedAssembly.Load(("/proj/App.cs", Source));
        string? auditDir;
        string keyPath;
        await using (var app = Sec0App.Initialize(Path.Combine(_dir, "sec0.config.yaml"), new Sec0AppOptions { CreateSigningKeyIfMissing = true }))
        {
            auditDir = app.AuditDirectory;
            keyPath = app.Config.ControlPlane.LocalSignerPath;
            var result = await (Task<string>)asm.Call("App.Entry", "Go")!;
            Assert.Equal("receipt:abc:30", result);
        }

        var lines = Directory.GetFiles(auditDir, "audit-*.ndjson").SelectMany(File.ReadAllLines)
            .Select(l => JsonDocument.Parse(l).RootElement).Where(e => !e.TryGetProperty("record", out _)).ToList();
        Assert.Equal(5, lines.Count);
        var byTool = lines.ToDictionary(e => e.GetProperty("hop").GetString()!);
        Assert.Equal(["OrderAgent.Run", "Workflow.Fail", "Workflow.Orchestrate", "Workflow.Stream", "pricing.quote"], byTool.Keys.Order(StringComparer.Ordinal).ToArray());

        var orchestrate = byTool["Workflow.Orchestrate"];
        var agent = byTool["OrderAgent.Run"];
        Assert.Equal("orchestrator", orchestrate.GetProperty("node_type").GetString());
        Assert.Equal("agent", agent.GetProperty("node_type").GetString());
        Assert.Equal("order-agent", agent.GetProperty("nodeId").GetString());
        // Sec0's TypeScript shape: server sec0-agent, tool and agent <name>@<version>, tool_ref joined by a space.
        Assert.Equal("sec0-agent", agent.GetProperty("server").GetString());
        Assert.Equal("order-agent@1.0.0", agent.GetProperty("tool").GetString());
        Assert.Equal("order-agent@1.0.0", agent.GetProperty("agent").GetString());
        Assert.Equal("sec0-agent order-agent@1.0.0", agent.GetProperty("tool_ref").GetString());
        Assert.Equal("sec0-orchestrator e2e@1.0.0", orchestrate.GetProperty("tool_ref").GetString());
        Assert.Equal("e2e@1.0.0", orchestrate.GetProperty("agent_orchestrator").GetString());
        Assert.Equal("pricing quote", byTool["pricing.quote"].GetProperty("tool_ref").GetString());
        Assert.Equal("fail", byTool["Workflow.Fail"].GetProperty("skill").GetString());
        Assert.Equal("error", byTool["Workflow.Fail"].GetProperty("status").GetString());
        Assert.All(lines.Where(l => l.GetProperty("hop").GetString() != "Workflow.Fail"), l => Assert.Equal("ok", l.GetProperty("status").GetString()));
        Assert.All(lines, l => Assert.StartsWith("sha256:v1:", l.GetProperty("hop_hash").GetString()));
        Assert.All(lines, l => Assert.Equal("allow", l.GetProperty("policy").GetProperty("decision").GetString()));

        // The hop hash is the generator's compile-time constant for that method.
        var descriptors = asm.Assembly.GetType("Sec0.Generated.HopDescriptors", throwOnError: true)!;
        var agentHash = descriptors.GetFields(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic)
            .Select(f => (Sec0.Hops.HopDescriptor)f.GetValue(null)!).Single(d => d.Key == "OrderAgent.Run").BodyHash;
        Assert.Equal(agentHash, agent.GetProperty("hop_hash").GetString());

        // One trace: the agent and the quote are children of the orchestrator, in one run.
        var trace = orchestrate.GetProperty("trace_id").GetString();
        Assert.Matches("^[0-9a-f]{32}$", trace);
        Assert.Matches("^[0-9a-f]{16}$", orchestrate.GetProperty("span_id").GetString());
        Assert.All(lines, l => Assert.Equal(trace, l.GetProperty("trace_id").GetString()));
        Assert.Equal(orchestrate.GetProperty("span_id").GetString(), agent.GetProperty("cause_span_id").GetString());
        Assert.Equal(agent.GetProperty("span_id").GetString(), byTool["pricing.quote"].GetProperty("cause_span_id").GetString());
        Assert.Equal(orchestrate.GetProperty("span_id").GetString(), byTool["Workflow.Fail"].GetProperty("cause_span_id").GetString());
        // agentRef is the run id (one per top-level hop and everything it calls), as Sec0's TypeScript SDK writes it.
        var run = orchestrate.GetProperty("agentRef").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", run);
        Assert.All(lines, l => Assert.Equal(run, l.GetProperty("agentRef").GetString()));
        Assert.Equal(run, byTool["pricing.quote"].GetProperty("agentVariables").GetProperty("TOOL").GetProperty("run_id").GetString());
        Assert.Equal("ok", agent.GetProperty("agentVariables").GetProperty("AGENT").GetProperty("status").GetString());

        using var signer = LocalDevSigner.FromFile(keyPath, _dir);
        using var verifier = signer.CreateVerifier();
        var report = new AuditLogVerifier(verifier).Verify(auditDir);
        Assert.True(report.IsIntact, string.Join("\n", report.Problems));
        Assert.Equal(5, report.ValidEnvelopes);
    }

    [Fact]
    public void A_hop_without_a_config_entry_fails_with_the_documented_text()
    {
        File.WriteAllText(Path.Combine(_dir, "sec0.config.yaml"), File.ReadAllText(Path.Combine(_dir, "sec0.config.yaml")).Replace("    pricing.quote: { type: tool, nodeId: pricing, server: pricing, tool: quote }\n", "", StringComparison.Ordinal));
        using var asm = LoadedAssembly.Load(("/proj/App.cs", Source + "\npublic static class Direct { public static int Quote() => new App.Pricing().Quote(2); }"));
        using var app = Sec0App.Initialize(Path.Combine(_dir, "sec0.config.yaml"), new Sec0AppOptions { CreateSigningKeyIfMissing = true });

        var ex = Assert.Throws<Sec0.Config.Sec0ConfigException>(() => asm.Call("App.Direct", "Quote"));
        Assert.Equal("[sec0] No hop configuration found for \"pricing.quote\". Define app.hops[\"pricing.quote\"] in your config file.", ex.Message);
    }

    [Fact]
    public void A_hop_whose_config_type_differs_from_the_attribute_fails_with_the_documented_text()
    {
        File.WriteAllText(Path.Combine(_dir, "sec0.config.yaml"), File.ReadAllText(Path.Combine(_dir, "sec0.config.yaml")).Replace("OrderAgent.Run: { type: agent, nodeId: order-agent, agentName: order-agent, agentVersion: \"1.0.0\" }", "OrderAgent.Run: { type: skill, nodeId: order-agent, skill: x }", StringComparison.Ordinal));
        using var asm = LoadedAssembly.Load(("/proj/App.cs", Source + "\npublic static class Direct { public static System.Threading.Tasks.Task<string> Run() => new App.OrderAgent().Run(\"x\"); }"));
        using var app = Sec0App.Initialize(Path.Combine(_dir, "sec0.config.yaml"), new Sec0AppOptions { CreateSigningKeyIfMissing = true });

        var task = (Task<string>)asm.Call("App.Direct", "Run")!;
        var ex = Assert.Throws<Sec0.Config.Sec0ConfigException>(() => task.GetAwaiter().GetResult());
        Assert.Equal("[sec0] Hop \"OrderAgent.Run\" is configured as \"skill\" but the decorator expects \"agent\".", ex.Message);
    }

    private const string GuardedSource = """
        using Sec0;

        namespace App;

        public static class Payments
        {
            public static int Charged;

            [Sec0Hop] public static string Charge(int cents) { Charged += cents; return "charged " + cents; }
            [Sec0Hop] public static string Refund(int cents) { Charged -= cents; return "refunded " + cents; }
        }

        public static class Guarded
        {
            public static string Charge() => Payments.Charge(500);
            public static string Refund() => Payments.Refund(200);
            public static int Charged() => Payments.Charged;
        }
        """;

    [Fact]
    public async Task An_enforced_denial_stops_the_body_and_observe_mode_records_would_deny()
    {
        File.WriteAllText(Path.Combine(_dir, "policy.yaml"), """
            tenant: demo
            tools: { allowlist: ["mcp://ledger/*@*"] }
            enforcement: { deny_on: [] }
            """);
        File.WriteAllText(Path.Combine(_dir, "sec0.config.yaml"), """
            app:
              tenant: demo
              environment: prod
              hops:
                Payments.Charge:
                  type: tool
                  nodeId: payments
                  server: payments
                  tool: charge
                  enforcement: { mode: enforce, deny_on: [tool_not_in_allowlist] }
                Payments.Refund:
                  type: tool
                  nodeId: payments
                  server: payments
                  tool: refund
                  enforcement: { mode: observe, deny_on: [tool_not_in_allowlist] }
            policy: ./policy.yaml
            controlPlane:
              sec0Dir: ./.sec0
              localSignerPath: ./.sec0/keys/ed25519.key
            """);
        using var asm = LoadedAssembly.Load(("/proj/Guarded.cs", GuardedSource));
        string auditDir;
        await using (var app = Sec0App.Initialize(Path.Combine(_dir, "sec0.config.yaml"), new Sec0AppOptions { CreateSigningKeyIfMissing = true }))
        {
            auditDir = app.AuditDirectory;
            var denied = Assert.Throws<Sec0PolicyDeniedException>(() => asm.Call("App.Guarded", "Charge"));
            Assert.Equal("POLICY_DENIED", denied.Code);
            Assert.Equal("tool_not_in_allowlist", denied.Violation);
            Assert.Equal("decorator", denied.DenialLevel);
            Assert.Equal(0, (int)asm.Call("App.Guarded", "Charged")!);

            Assert.Equal("refunded 200", asm.Call("App.Guarded", "Refund"));
            Assert.Equal(-200, (int)asm.Call("App.Guarded", "Charged")!);
        }

        var lines = Directory.GetFiles(auditDir, "audit-*.ndjson").SelectMany(File.ReadAllLines)
            .Select(l => JsonDocument.Parse(l).RootElement).Where(e => !e.TryGetProperty("record", out _)).ToDictionary(e => e.GetProperty("tool").GetString()!);
        var charge = lines["charge"];
        Assert.Equal("deny", charge.GetProperty("policy").GetProperty("decision").GetString());
        Assert.Equal("tool_not_in_allowlist", charge.GetProperty("policy").GetProperty("reason").GetString());
        Assert.Equal("tool_not_in_allowlist", charge.GetProperty("denial_reason").GetString());
        Assert.Equal("decorator", charge.GetProperty("denial_level").GetString());
        Assert.Equal("error", charge.GetProperty("status").GetString());
        // TS scale and words: 25 per violated reason, tagged with the reason's name.
        Assert.Equal(25, charge.GetProperty("risk_score").GetInt32());
        Assert.Equal(["tool_not_in_allowlist"], charge.GetProperty("risk_tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(["supply_chain"], charge.GetProperty("risk_categories").EnumerateArray().Select(t => t.GetString()));
        var refund = lines["refund"];
        Assert.Equal("would_deny", refund.GetProperty("policy").GetProperty("decision").GetString());
        Assert.Equal("ok", refund.GetProperty("status").GetString());
        Assert.False(refund.TryGetProperty("denial_reason", out _));
    }
}

using System.Text.Json.Nodes;
using Sec0.Audit;
using Sec0.Instrumentation.Tests.Support;

namespace Sec0.Instrumentation.Tests.Audit;

public class AuditLineBuilderTests
{
    /// <summary>An envelope with every field set: the line is the canonical form the verifier demands, and verifies.</summary>
    [Fact]
    public void An_envelope_with_every_field_is_written_in_canonical_form_and_verifies()
    {
        using var signer = TestKeys.NewSigner();
        var builder = new AuditLineBuilder(signer, AuditChain.Genesis);
        var e = new AuditEnvelope
        {
            Timestamp = AuditLogBuilder.Day1,
            TraceId = new string('a', 32),
            SpanId = new string('b', 16),
            CauseTraceId = new string('c', 32),
            CauseSpanId = new string('d', 16),
            Tenant = "demo",
            Environment = "prod",
            ClientName = "orders",
            ClientVersion = "1.0.0",
            NodeType = "gateway",
            Server = "weather",
            Tool = "forecast",
            ToolRef = "mcp://weather/forecast@1.0.0",
            Op = "tools/call",
            Status = "error",
            LatencyMs = 12.25,
            Retries = 1,
            Policy = AuditPolicyRecord.For("deny", "version_unpinned"),
            DenialReason = "version_unpinned",
            DenialLevel = "gateway",
            DenialType = "rasp",
            DecisionReason = "version_unpinned",
            RiskTags = ["supply_chain"],
            RiskScore = 0.5,
            IdempotencyKey = "run:node:forecast@1.0.0:abc",
            NodeId = "order-agent",
            AgentRef = "run/order-agent",
            EscalationId = "esc-1",
            EscalationStatus = "pending",
            EscalationError = "none",
            SastStatus = "pass",
            SastFindings = new JsonArray(),
            SastScanId = "s1",
            DastStatus = "pass",
            DastFindings = new JsonArray(),
            DastScanId = "d1",
            RegistryFrozen = true,
            ServerSnapshot = new JsonObject { ["tools"] = new JsonArray("a", "b") },
            HopHash = "sha256:v1:" + new string('e', 64),
            Gateway = "sec0-gateway@1.0.0",
            HttpStatus = 403,
            User = "alice",
        };
        e.SetInputToHash("{}"u8.ToArray());
        e.SetOutputToHash("{}"u8.ToArray());

        var line = builder.BuildEnvelope(e, sign: true).ToArray();

        using var key = signer.CreateVerifier();
        Assert.Equal(AuditLineStatus.Valid, new AuditLineReader(key).Read(line, out _));
        var parsed = JsonNode.Parse(line)!.AsObject();
        Assert.Equal("sec0-gateway@1.0.0", (string?)parsed["gateway"]);
        Assert.Equal(403, (int)parsed["http_status"]!);
        Assert.Equal("alice", (string?)parsed["user"]);
    }
}

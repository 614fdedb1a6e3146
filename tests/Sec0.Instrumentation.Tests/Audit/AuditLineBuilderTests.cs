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
            RiskTags = ["version_unpinned"],
            RiskScore = 25,
            RiskCategories = ["supply_chain"],
            RiskProbability = 0.4,
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
            HopKey = "Weather.Forecast",
            Agent = "a@1",
            AgentOrchestrator = "o@1",
            Middleware = "m",
            Skill = "s",
            TargetServer = "weather@1.0.0",
            TargetTool = "forecast",
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
        Assert.Equal("weather@1.0.0 forecast", (string?)parsed["target_tool_ref"]);
        Assert.Equal("""{"GATEWAY":{"gateway":"sec0-gateway@1.0.0","status":"error"}}""", parsed["agentVariables"]!.ToJsonString());
    }

    /// <summary>
    /// What Sec0's TypeScript SDK always writes is always there: the missing hashes and idempotency key as null, retries 0,
    /// a retention class; and the line with its nulls is still the canonical form that verifies.
    /// </summary>
    [Fact]
    public void Absent_hashes_and_idempotency_key_are_written_as_null_and_the_line_verifies()
    {
        using var signer = TestKeys.NewSigner();
        var builder = new AuditLineBuilder(signer, AuditChain.Genesis);
        var e = new AuditEnvelope { Timestamp = AuditLogBuilder.Day1, Tenant = "demo", Status = "ok", Policy = AuditPolicyRecord.Allow };

        var line = builder.BuildEnvelope(e, sign: true).ToArray();

        using var key = signer.CreateVerifier();
        Assert.Equal(AuditLineStatus.Valid, new AuditLineReader(key).Read(line, out _));
        var text = System.Text.Encoding.UTF8.GetString(line);
        Assert.Contains("\"idempotency_key\":null,\"input_sha256\":null,", text, StringComparison.Ordinal);
        Assert.Contains("\"output_sha256\":null,", text, StringComparison.Ordinal);
        Assert.Contains("\"policy\":{\"decision\":\"allow\",\"retention\":\"standard\"}", text, StringComparison.Ordinal);
        Assert.Contains("\"retries\":0,", text, StringComparison.Ordinal);
        Assert.DoesNotContain("risk_", text, StringComparison.Ordinal);
        Assert.DoesNotContain("agentVariables", text, StringComparison.Ordinal);
    }

    /// <summary>
    /// An optional number set to zero is a value, written as 0; set back to null it is absent again, each on its own
    /// (the numbers share one record of which are set).
    /// </summary>
    [Fact]
    public void Optional_numbers_set_to_zero_are_written_and_cleared_ones_are_left_out()
    {
        using var signer = TestKeys.NewSigner();
        var builder = new AuditLineBuilder(signer, AuditChain.Genesis);
        var e = new AuditEnvelope { Timestamp = AuditLogBuilder.Day1, LatencyMs = 0, Retries = 0, RiskScore = 0, RiskProbability = 0, HttpStatus = 0 };
        Assert.Equal<(double?, int?, double?, double?, int?)>((0, 0, 0, 0, 0), (e.LatencyMs, e.Retries, e.RiskScore, e.RiskProbability, e.HttpStatus));

        var zeros = JsonNode.Parse(builder.BuildEnvelope(e, sign: false).ToArray())!.AsObject();
        Assert.Equal(0, (double)zeros["latency_ms"]!);
        Assert.Equal(0, (double)zeros["risk_score"]!);
        Assert.Equal(0, (double)zeros["risk_probability"]!);
        Assert.Equal(0, (int)zeros["http_status"]!);

        (e.LatencyMs, e.RiskProbability) = (null, null);
        (e.RiskScore, e.HttpStatus, e.Retries) = (40, 503, 2);
        Assert.Null(e.LatencyMs);
        Assert.Null(e.RiskProbability);
        Assert.Equal<(double?, int?, int?)>((40, 503, 2), (e.RiskScore, e.HttpStatus, e.Retries));

        var some = JsonNode.Parse(builder.BuildEnvelope(e, sign: false).ToArray())!.AsObject();
        Assert.False(some.ContainsKey("latency_ms"));
        Assert.False(some.ContainsKey("risk_probability"));
        Assert.Equal(40, (double)some["risk_score"]!);
        Assert.Equal(503, (int)some["http_status"]!);
        Assert.Equal(2, (int)some["retries"]!);
    }
}

using Sec0.Instrumentation.Tests.Config;
using Sec0.Policy;

namespace Sec0.Instrumentation.Tests.Policy;

/// <summary>Policies written by Sec0's TypeScript schema and control plane load here, with the TypeScript meaning.</summary>
public sealed class TypeScriptPolicyCompatibilityTests : IDisposable
{
    private readonly TempConfigDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private PolicyDocument Load(string yaml) => PolicyLoader.Load(_dir.Write("policy.yaml", yaml));

    [Fact]
    public void The_control_planes_fallback_policy_loads_and_an_empty_circuit_breakers_means_none()
    {
        var policy = Load("tenant: demo\nenforcement: { deny_on: [], circuit_breakers: {} }\n");

        Assert.Null(policy.Enforcement.CircuitBreakers);
        Assert.Null(DecisionEngine.Create(policy).CreateCircuitBreakers());
    }

    [Theory]
    [InlineData("demo-server", "echo", "1.1", DecisionOutcome.Allow)]
    [InlineData("demo-server", "other_tool", "1.0", DecisionOutcome.Allow)]
    [InlineData("demo-server", "echo", "2.0", DecisionOutcome.Deny)]
    [InlineData("demo-server", "echo", null, DecisionOutcome.Deny)]
    [InlineData("another-server", "echo", "9.9", DecisionOutcome.Allow)]
    public void Allow_versions_keyed_by_server_name_pins_every_tool_of_that_server(string server, string tool, string? version, DecisionOutcome expected)
    {
        var policy = Load("""
            tenant: demo
            security:
              allow_versions:
                demo-server: ["1.0", "1.1"]
            enforcement: { deny_on: [version_unpinned] }
            """);

        var decision = DecisionEngine.Create(policy).Decide(new DecisionContext { Server = server, Tool = tool, Version = version });

        Assert.Equal(expected, decision.Outcome);
        Assert.Equal(["1.0", "1.1"], policy.Security.AllowVersionsByServer["demo-server"]);
        if (expected == DecisionOutcome.Deny)
        {
            // The TypeScript gateway's reason for a version outside the list.
            Assert.Equal(PolicyReason.VersionUnpinned, decision.PrimaryReason);
        }
    }

    [Fact]
    public void Server_keys_and_tool_ref_keys_work_side_by_side()
    {
        var policy = Load("""
            tenant: demo
            security:
              allow_versions: { demo-server: ["1.0"], "mcp://files/read": ["2.0"] }
            enforcement: { deny_on: [version_unpinned, tool_not_in_allowlist] }
            """);
        var engine = DecisionEngine.Create(policy);

        Assert.Equal(PolicyReason.ToolNotInAllowlist, engine.Decide(new DecisionContext { Server = "files", Tool = "read", Version = "1.0" }).PrimaryReason);
        Assert.Equal(DecisionOutcome.Allow, engine.Decide(new DecisionContext { Server = "files", Tool = "read", Version = "2.0" }).Outcome);
        Assert.Equal(DecisionOutcome.Deny, engine.Decide(new DecisionContext { Server = "demo-server", Tool = "x", Version = "2.0" }).Outcome);
    }

    [Theory]
    [InlineData("https://api.example.com/v1/users", true)]
    [InlineData("http://api.example.com/", true)]
    [InlineData("https://API.example.com.:443/x", true)]
    [InlineData("https://api.example.com:8443/", false)]
    [InlineData("http://api.example.com:8080/", false)]
    [InlineData("https://api.example.com.evil.io/", false)]
    [InlineData("https://evil.io/?u=api.example.com", false)]
    [InlineData("ftp://api.example.com/", false)]
    [InlineData("https://a.ok.com/", true)]
    [InlineData("https://ok.com/", false)]
    public void Host_only_egress_entries_mean_that_host_over_https_or_http_on_default_ports(string url, bool allowed)
    {
        var policy = Load("tenant: demo\nsecurity: { egress_allowlist: [api.example.com, \"*.ok.com\"] }\nenforcement: { deny_on: [egress_violation] }\n");

        var decision = DecisionEngine.Create(policy).Decide(new DecisionContext { EgressUrl = url });

        Assert.Equal(allowed ? DecisionOutcome.Allow : DecisionOutcome.Deny, decision.Outcome);
        Assert.True(policy.Security.EgressAllowlist!.Rules[0].IsHostOnly);
        Assert.Equal("api.example.com", policy.Security.EgressAllowlist.Rules[0].Text);
    }

    [Fact]
    public void A_raw_url_glob_is_refused_with_the_reason_it_differs_from_the_TypeScript_SDK()
    {
        var error = Assert.Throws<Sec0PolicyException>(() => Load("tenant: demo\nsecurity: { egress_allowlist: [\"https://api.ok.com*\"] }\n"));

        var problem = Assert.Single(error.Problems);
        Assert.Contains("differs from Sec0's TypeScript SDK on purpose", problem.Message, StringComparison.Ordinal);
        Assert.Contains("https://api.ok.com.evil.io", problem.Message, StringComparison.Ordinal);
        Assert.EndsWith("see docs/migrating-from-typescript.md", problem.Message, StringComparison.Ordinal);
    }
}

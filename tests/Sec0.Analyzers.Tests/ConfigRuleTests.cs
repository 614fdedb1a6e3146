using Microsoft.CodeAnalysis;
using static Sec0.Analyzers.Tests.Infrastructure.AnalyzerHarness;

namespace Sec0.Analyzers.Tests;

/// <summary>SEC0001-SEC0007: sec0.config.yaml checked against the hops, each at its exact location.</summary>
public class ConfigRuleTests
{
    private const string Hops = """
        using Sec0;

        namespace App;

        public class OrderAgent
        {
            [Sec0Hop] public int Run() { HopGuard.Enter(); return 1; }
        }
        """;

    private const string Header = """
        app:
          tenant: demo
          environment: dev
          hops:

        """;

    private static string Config(string hops) => Header + hops;

    private const string OrderAgentEntry = """
            OrderAgent.Run:
              type: agent
              nodeId: order-agent
              agentName: order-agent
              agentVersion: "1.0.0"

        """;

    [Fact]
    public async Task SEC0001_hop_without_entry_is_reported_at_the_method_name_with_key_file_and_fix_properties()
    {
        var diagnostics = await RunAsync(Hops, Config("    Other.Run: { type: skill, skill: s, nodeId: n }\n"), "/proj/Hops.cs");

        var diagnostic = Single(diagnostics, "SEC0001");
        Assert.Equal("SEC0001 /proj/Hops.cs(7,26)", Format(diagnostic));
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal("[sec0] No hop configuration found for \"OrderAgent.Run\". Define app.hops[\"OrderAgent.Run\"] in your config file (/proj/sec0.config.yaml).", diagnostic.GetMessage());
        Assert.Equal("OrderAgent.Run", diagnostic.Properties[DiagnosticProperties.HopKey]);
        Assert.Equal("agent", diagnostic.Properties[DiagnosticProperties.HopType]);
    }

    [Fact]
    public async Task SEC0001_explicit_and_nested_keys_are_matched()
    {
        const string source = """
            using Sec0;
            namespace App;
            public class Outer
            {
                public class Inner { [Sec0Hop] public void Step() { } }
                [Sec0Hop("orders.place", Type = HopType.Tool)] public void Place() { }
                [Sec0Hop] public void Missing() { }
            }
            """;
        var yaml = Config("""
                Outer.Inner.Step: { type: skill, skill: s, nodeId: n }
                orders.place: { type: tool, server: s, tool: t, nodeId: n }

            """);

        var diagnostics = await RunAsync(source, yaml);

        Assert.Equal(["SEC0001 /proj/Hops.cs(7,27)"], Only(diagnostics, "SEC0001"));
        Assert.Empty(Only(diagnostics, "SEC0002"));
        Assert.Empty(Only(diagnostics, "SEC0003"));
    }

    [Fact]
    public async Task SEC0001_type_from_the_attribute_goes_to_the_fix()
    {
        const string source = """
            using Sec0;
            namespace App;
            public class Flow { [Sec0Hop(Type = HopType.Orchestrator)] public void Run() { } }
            """;

        var diagnostic = Single(await RunAsync(source, Config("")), "SEC0001");

        Assert.Equal("orchestrator", diagnostic.Properties[DiagnosticProperties.HopType]);
    }

    [Fact]
    public async Task Entry_present_nothing_is_reported()
    {
        var diagnostics = await RunAsync(Hops, Config(OrderAgentEntry));

        Assert.Equal(["SEC0000"], diagnostics.Select(Format));
    }

    [Fact]
    public async Task SEC0002_stale_entry_is_reported_at_its_key_in_the_yaml()
    {
        var yaml = Config(OrderAgentEntry + "    Gone.Hop:\n      type: skill\n      skill: s\n      nodeId: n\n");

        var diagnostic = Single(await RunAsync(Hops, yaml), "SEC0002");

        Assert.Equal("SEC0002 /proj/sec0.config.yaml(10,5)", Format(diagnostic));
        Assert.Equal(new Microsoft.CodeAnalysis.Text.TextSpan(yaml.IndexOf("Gone.Hop", StringComparison.Ordinal), "Gone.Hop".Length), diagnostic.Location.SourceSpan);
        Assert.Equal("app.hops entry \"Gone.Hop\" matches no [Sec0Hop] method in this project or its references", diagnostic.GetMessage());
        Assert.Equal("Gone.Hop", diagnostic.Properties[DiagnosticProperties.HopKey]);
    }

    [Fact]
    public async Task SEC0002_entry_of_a_hop_in_a_referenced_assembly_is_not_stale()
    {
        var library = CreateCompilation([("/lib/Lib.cs", "using Sec0; namespace Lib; public static class Payments { [Sec0Hop(\"payments.charge\")] public static void Charge() { } }")], assemblyName: "Lib");
        var yaml = Config(OrderAgentEntry + "    payments.charge: { type: skill, skill: s, nodeId: n }\n");

        var diagnostics = await RunAsync([("/proj/Hops.cs", Hops)], yaml, extraReferences: [library.ToMetadataReference()]);

        Assert.Empty(Only(diagnostics, "SEC0002"));
    }

    [Fact]
    public async Task SEC0003_type_mismatch_is_reported_at_the_attribute()
    {
        const string source = """
            using Sec0;
            namespace App;
            public class OrderAgent
            {
                [Sec0Hop(Type = HopType.Orchestrator)] public int Run() => 1;
            }
            """;

        var diagnostic = Single(await RunAsync(source, Config(OrderAgentEntry)), "SEC0003");

        Assert.Equal("SEC0003 /proj/Hops.cs(5,6)", Format(diagnostic));
        Assert.Equal("[sec0] Hop \"OrderAgent.Run\" is configured as \"agent\" but the decorator expects \"orchestrator\".", diagnostic.GetMessage());
        Assert.Equal("Agent", diagnostic.Properties[DiagnosticProperties.ConfiguredHopType]);
    }

    [Theory]
    [InlineData("[Sec0Hop(Type = HopType.Agent)]")]
    [InlineData("[Sec0Hop]")]
    public async Task SEC0003_same_or_unspecified_type_is_not_reported(string attribute)
    {
        var source = "using Sec0; namespace App; public class OrderAgent { " + attribute + " public int Run() => 1; }";

        Assert.Empty(Only(await RunAsync(source, Config(OrderAgentEntry)), "SEC0003"));
    }

    [Fact]
    public async Task SEC0004_missing_fields_each_reported_at_the_entry_key_with_the_loader_text()
    {
        var yaml = Config("    OrderAgent.Run:\n      type: agent\n      nodeId: \"\"\n");

        var diagnostics = (await RunAsync(Hops, yaml)).Where(d => d.Id == "SEC0004").ToList();

        Assert.Equal(
            [
                "[sec0] Hop \"OrderAgent.Run\" requires a non-empty 'nodeId' value.",
                "[sec0] Hop \"OrderAgent.Run\" requires a non-empty 'agentName' value.",
                "[sec0] Hop \"OrderAgent.Run\" requires a non-empty 'agentVersion' value.",
            ],
            diagnostics.Select(d => d.GetMessage()));
        Assert.All(diagnostics, d => Assert.Equal("SEC0004 /proj/sec0.config.yaml(5,5)", Format(d)));
    }

    [Theory]
    [InlineData("    OrderAgent.Run:\n", "[sec0] Hop \"OrderAgent.Run\" is missing required field 'type'.")]
    [InlineData("    OrderAgent.Run: { nodeId: n }\n", "[sec0] Hop \"OrderAgent.Run\" is missing required field 'type'.")]
    [InlineData("    OrderAgent.Run: { type: robot }\n", "[sec0] Hop \"OrderAgent.Run\" has unknown type \"robot\".")]
    [InlineData("    OrderAgent.Run: { type: gateway, gateway: g, nodeId: n }\n", "[sec0] Hop \"OrderAgent.Run\" requires 'gatewayBaseUrl'. Provide it in app.hops or orchestrator.gatewayBaseUrl.")]
    [InlineData("    OrderAgent.Run: [agent]\n", "[sec0] Invalid config file: /proj/sec0.config.yaml (app.hops.OrderAgent.Run must be a mapping, line 5, column 21)")]
    public async Task SEC0004_entry_shapes(string entry, string message)
    {
        var diagnostic = Single(await RunAsync(Hops, Config(entry)), "SEC0004");

        Assert.Equal(message, diagnostic.GetMessage());
        Assert.Equal("SEC0004 /proj/sec0.config.yaml(5,5)", Format(diagnostic));
    }

    [Fact]
    public async Task SEC0004_fallbacks_and_merge_keys_satisfy_required_fields()
    {
        const string source = """
            using Sec0;
            namespace App;
            public class Flow { [Sec0Hop] public void Run() { HopGuard.Enter(); } }
            public class Edge { [Sec0Hop] public void Call() { HopGuard.Enter(); } }
            public class OrderAgent { [Sec0Hop] public void Run() { HopGuard.Enter(); } }
            """;
        const string yaml = """
            defaults: &agent
              type: agent
              agentName: shared
              agentVersion: "2.0.0"
            orchestrator:
              gatewayBaseUrl: https://gw.example
            app:
              tenant: demo
              environment: prod
              client: { name: demo-agents, version: "1.0.0" }
              hops:
                Flow.Run: { type: orchestrator, nodeId: flow }
                Edge.Call: { type: gateway, gateway: gw, nodeId: edge }
                OrderAgent.Run:
                  <<: *agent
                  nodeId: order-agent
            """;

        var diagnostics = await RunAsync(source, yaml);

        Assert.Equal(["SEC0000"], diagnostics.Select(Format));
    }

    [Theory]
    [InlineData("app:\n  tenant: demo\n  hops: {}\n", "[sec0] app.environment must be set to one of dev, staging, or prod.", "(1,1)")]
    [InlineData("app:\n  tenant: demo\n  environment: qa\n", "[sec0] app.environment \"qa\" is invalid. Expected dev, staging, or prod.", "(3,16)")]
    [InlineData("# no app block\ncontrolPlane: { sec0Dir: x }\n", "[sec0] app configuration block is required.", "(2,1)")]
    public async Task SEC0005_environment(string yaml, string message, string position)
    {
        var diagnostic = Single(await RunAsync("namespace App; public class C { }", yaml), "SEC0005");

        Assert.Equal(message, diagnostic.GetMessage());
        Assert.Equal("SEC0005 /proj/sec0.config.yaml" + position, Format(diagnostic));
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("Staging")]
    [InlineData("PROD")]
    public async Task SEC0005_valid_environments_are_not_reported(string environment)
    {
        var yaml = "app:\n  tenant: demo\n  environment: " + environment + "\n";

        Assert.Empty(await RunAsync("namespace App; public class C { }", yaml));
    }

    [Fact]
    public async Task SEC0006_hops_without_config_is_reported_once_at_the_first_hop()
    {
        var diagnostics = await RunAsync(
            [("/proj/B.cs", "using Sec0; namespace App; public class B { [Sec0Hop] public void Run() { } }"), ("/proj/A.cs", "using Sec0; namespace App; public class A {\n [Sec0Hop] public void Run() { }\n [Sec0Hop] public void Two() { } }")],
            yaml: null);

        Assert.Equal(["SEC0006 /proj/A.cs(2,24)"], Only(diagnostics, "SEC0006"));
        Assert.Empty(Only(diagnostics, "SEC0001"));
    }

    [Fact]
    public async Task SEC0006_not_reported_with_a_config_or_without_hops()
    {
        Assert.Empty(Only(await RunAsync(Hops, Config(OrderAgentEntry)), "SEC0006"));
        Assert.Empty(await RunAsync("namespace App; public class C { }", yaml: null));
    }

    [Fact]
    public async Task SEC0007_invalid_yaml_is_reported_at_the_broken_construct_and_hides_the_other_config_rules()
    {
        const string yaml = "app:\n  tenant: demo\n  hops: [unclosed\n";

        var diagnostics = await RunAsync(Hops, yaml);

        var diagnostic = Single(diagnostics, "SEC0007");
        // Reported at the unclosed '[', the loader's position and words; the message also names where parsing failed.
        Assert.Equal("SEC0007 /proj/sec0.config.yaml(3,9)", Format(diagnostic));
        Assert.Equal(
            "[sec0] Invalid config file: /proj/sec0.config.yaml (line 3, column 9): the list opened with '[' at line 3, column 9 is not closed: parsing failed at line 4, column 1, where a ',' or ']' was expected. Close it with ']', or quote the value if the bracket is meant as text.",
            diagnostic.GetMessage());
        Assert.Equal(["SEC0000", "SEC0007"], diagnostics.Select(d => d.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SEC0007_valid_yaml_is_not_reported()
    {
        Assert.Empty(Only(await RunAsync(Hops, Config(OrderAgentEntry)), "SEC0007"));
    }

    [Theory]
    [InlineData("/proj/config/SEC0.Config.YAML", true)]
    [InlineData("C:\\repo\\app\\sec0.config.yaml", true)]
    [InlineData("/proj/my-sec0.config.yaml", false)]
    [InlineData("/proj/sec0.config.yml", false)]
    public async Task The_config_is_found_by_file_name_in_any_letter_case(string path, bool found)
    {
        var diagnostics = await RunAsync([("/proj/Hops.cs", Hops)], Config(""), configPath: path);

        Assert.Equal(found ? ["SEC0001"] : ["SEC0006"], diagnostics.Where(d => d.Id is "SEC0001" or "SEC0006").Select(d => d.Id));
    }
}

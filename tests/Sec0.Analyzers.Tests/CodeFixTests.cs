using Sec0.Analyzers.CodeFixes;
using Sec0.Analyzers.Tests.Infrastructure;

namespace Sec0.Analyzers.Tests;

/// <summary>Each code fix applied in a workspace; the resulting YAML compared with the committed Fixes/*.expected.yaml.</summary>
public class CodeFixTests
{
    private const string AgentHops = """
        using Sec0;
        namespace App;
        public class OrderAgent { [Sec0Hop] public int Run() => 1; }
        public class ResearchAgent { [Sec0Hop] public int Run() => 1; }
        public class PaymentAgent { [Sec0Hop] public int Charge() => 1; }
        """;

    [Fact]
    public async Task SEC0001_adds_the_entry_at_the_end_of_app_hops_keeping_comments_and_anchors()
    {
        using var harness = new CodeFixHarness(AgentHops, FixFiles.Read("AddEntry.input.yaml"));

        var title = await harness.ApplyFixAsync(new AddHopEntryCodeFixProvider(), "SEC0001");

        Assert.Equal("Add app.hops entry \"OrderAgent.Run\" to sec0.config.yaml", title);
        FixFiles.AssertMatches("AddEntry.expected.yaml", await harness.ConfigTextAsync());

        // The hop is configured now; the empty placeholders are what is left to fill in.
        var after = await harness.DiagnosticsAsync();
        Assert.DoesNotContain(after, d => d.Id == "SEC0001");
        Assert.Equal(3, after.Count(d => d.Id == "SEC0004" && d.GetMessage().Contains("\"OrderAgent.Run\"", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task SEC0001_adds_a_hops_block_with_the_attribute_type_and_the_files_indentation()
    {
        const string source = "using Sec0; namespace App; public class Workflow { [Sec0Hop(Type = HopType.Orchestrator)] public void Orchestrate() { } }";
        using var harness = new CodeFixHarness(source, FixFiles.Read("AddHopsBlock.input.yaml"));

        await harness.ApplyFixAsync(new AddHopEntryCodeFixProvider(), "SEC0001");

        FixFiles.AssertMatches("AddHopsBlock.expected.yaml", await harness.ConfigTextAsync());
        Assert.DoesNotContain(await harness.DiagnosticsAsync(), d => d.Id is "SEC0001" or "SEC0007");
    }

    [Fact]
    public async Task SEC0001_fills_an_empty_hops_value_in_a_file_without_a_final_newline()
    {
        const string source = "using Sec0; namespace App; public class OrderAgent { [Sec0Hop] public int Run() => 1; }";
        using var harness = new CodeFixHarness(source, FixFiles.Read("AddToEmptyHops.input.yaml"));

        await harness.ApplyFixAsync(new AddHopEntryCodeFixProvider(), "SEC0001");

        FixFiles.AssertMatches("AddToEmptyHops.expected.yaml", await harness.ConfigTextAsync());
        Assert.DoesNotContain(await harness.DiagnosticsAsync(), d => d.Id is "SEC0001" or "SEC0007");
    }

    [Fact]
    public async Task SEC0001_flow_style_hops_get_no_text_edit()
    {
        const string source = "using Sec0; namespace App; public class OrderAgent { [Sec0Hop] public int Run() => 1; }";
        const string yaml = "app:\n  tenant: demo\n  environment: dev\n  hops: { Other.Run: { type: skill, skill: s, nodeId: n } }\n";
        using var harness = new CodeFixHarness(source, yaml);

        Assert.Equal(0, await harness.CountFixesAsync(new AddHopEntryCodeFixProvider(), "SEC0001"));
    }

    [Fact]
    public async Task SEC0002_removes_the_stale_entrys_lines_only()
    {
        const string source = """
            using Sec0;
            namespace App;
            public class OrderAgent { [Sec0Hop] public int Run() { HopGuard.Enter(); return 1; } }
            public class Billing { [Sec0Hop] public int Charge() { HopGuard.Enter(); return 1; } }
            """;
        using var harness = new CodeFixHarness(source, FixFiles.Read("RemoveEntry.input.yaml"));

        var title = await harness.ApplyFixAsync(new RemoveStaleHopEntryCodeFixProvider(), "SEC0002");

        Assert.Equal("Remove app.hops entry \"Search.Find\"", title);
        FixFiles.AssertMatches("RemoveEntry.expected.yaml", await harness.ConfigTextAsync());
        Assert.Equal(["SEC0000"], (await harness.DiagnosticsAsync()).Select(d => d.Id));
    }

    [Fact]
    public async Task SEC0003_changes_the_attribute_type_to_the_configured_one()
    {
        const string source = """
            using Sec0;
            namespace App;
            public class OrderAgent
            {
                [Sec0Hop("orders.run", Type = Sec0.HopType.Orchestrator /* stated */)] public int Run() => 1;
            }
            """;
        const string yaml = "app:\n  tenant: demo\n  environment: dev\n  hops:\n    orders.run: { type: agent, nodeId: n, agentName: a, agentVersion: v }\n";
        using var harness = new CodeFixHarness(source, yaml);

        var title = await harness.ApplyFixAsync(new ChangeHopTypeCodeFixProvider(), "SEC0003");

        Assert.Equal("Change the hop type to HopType.Agent", title);
        Assert.Equal(source.Replace("Sec0.HopType.Orchestrator", "Sec0.HopType.Agent", StringComparison.Ordinal), await harness.SourceTextAsync());
        Assert.Equal(yaml, await harness.ConfigTextAsync());
        Assert.DoesNotContain(await harness.DiagnosticsAsync(), d => d.Id == "SEC0003");
    }
}

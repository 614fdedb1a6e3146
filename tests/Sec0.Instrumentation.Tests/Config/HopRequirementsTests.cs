using Sec0.Config;

namespace Sec0.Instrumentation.Tests.Config;

public sealed class HopRequirementsTests
{
    [Fact]
    public void Every_hop_type_round_trips_through_its_yaml_name_and_has_required_fields()
    {
        foreach (var type in Enum.GetValues<HopType>().Where(t => t != HopType.Unspecified))
        {
            var name = HopRequirements.GetYamlName(type);
            Assert.Contains(name, HopRequirements.TypeNames);
            Assert.True(HopRequirements.TryParseHopType(" " + name.ToUpperInvariant() + " ", out var parsed));
            Assert.Equal(type, parsed);
            Assert.Contains("nodeId", HopRequirements.GetRequiredFields(type));
        }

        Assert.Equal(Enum.GetValues<HopType>().Length - 1, HopRequirements.TypeNames.Count);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("unspecified")]
    [InlineData("agents")]
    public void Unknown_names_do_not_parse(string? name)
    {
        Assert.False(HopRequirements.TryParseHopType(name, out var type));
        Assert.Equal(HopType.Unspecified, type);
    }

    [Fact]
    public void Fallbacks_are_the_documented_ones()
    {
        Assert.Equal("app.client.name", HopRequirements.GetFallbackPath(HopType.Orchestrator, "orchestratorName"));
        Assert.Equal("app.client.version", HopRequirements.GetFallbackPath(HopType.Orchestrator, "orchestratorVersion"));
        Assert.Equal("orchestrator.gatewayBaseUrl", HopRequirements.GetFallbackPath(HopType.Gateway, "gatewayBaseUrl"));
        Assert.Equal("app.tenant", HopRequirements.GetFallbackPath(HopType.Gateway, "tenant"));
        Assert.Null(HopRequirements.GetFallbackPath(HopType.Agent, "agentName"));
        Assert.Equal(["gateway", "nodeId", "gatewayBaseUrl", "tenant"], HopRequirements.GetRequiredFields(HopType.Gateway));
    }
}

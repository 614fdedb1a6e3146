using Sec0.Gateway.Upstreams;

namespace Sec0.Gateway.Tests.Upstreams;

/// <summary><see cref="GatewayUpstreamFactory"/>: the class by kind, and target errors naming the setting to fix.</summary>
public sealed class GatewayUpstreamFactoryTests
{
    [Fact]
    public async Task Create_picks_the_class_by_kind()
    {
        await using var http = GatewayUpstreamFactory.Create("a", new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = new Uri("http://127.0.0.1:1/mcp") }, null);
        await using var legacy = GatewayUpstreamFactory.Create("b", new GatewayTarget { Kind = GatewayTargetKind.LegacyHttp, Url = new Uri("https://tools.example/") }, null);
        await using var stdio = GatewayUpstreamFactory.Create("c", new GatewayTarget { Kind = GatewayTargetKind.McpStdio, Command = "dotnet", PoolSize = 64 }, null);

        Assert.IsType<McpHttpUpstream>(http);
        Assert.IsType<LegacyHttpUpstream>(legacy);
        Assert.IsType<McpStdioUpstream>(stdio);
    }

    public static TheoryData<GatewayTarget, string> BadTargets => new()
    {
        { new GatewayTarget { Kind = GatewayTargetKind.McpHttp }, "gateway.targets.srv.mcp" },
        { new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = new Uri("/mcp", UriKind.Relative) }, "gateway.targets.srv.mcp" },
        { new GatewayTarget { Kind = GatewayTargetKind.LegacyHttp, Url = new Uri("ftp://tools.example/") }, "gateway.targets.srv.http" },
        { new GatewayTarget { Kind = GatewayTargetKind.LegacyHttp, Url = new Uri("http://tools.example/?a=1") }, "gateway.targets.srv.http" },
        { new GatewayTarget { Kind = GatewayTargetKind.McpStdio }, "gateway.targets.srv.stdio" },
        { new GatewayTarget { Kind = GatewayTargetKind.McpStdio, Command = " " }, "gateway.targets.srv.stdio" },
        { new GatewayTarget { Kind = GatewayTargetKind.McpStdio, Command = "dotnet", PoolSize = 0 }, "gateway.targets.srv.pool" },
        { new GatewayTarget { Kind = GatewayTargetKind.McpStdio, Command = "dotnet", PoolSize = 65 }, "gateway.targets.srv.pool" },
        { new GatewayTarget { Kind = GatewayTargetKind.McpStdio, Command = "dotnet", WorkingDirectory = "/no/such/folder/sec0" }, "gateway.targets.srv.cwd" },
        { new GatewayTarget { Kind = (GatewayTargetKind)42 }, "gateway.targets.srv" },
    };

    [Theory]
    [MemberData(nameof(BadTargets))]
    public void Create_rejects_a_bad_target_naming_the_setting(GatewayTarget target, string setting)
    {
        var error = Assert.Throws<Sec0GatewayOptionsException>(() => GatewayUpstreamFactory.Create("srv", target, null));

        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
        Assert.Contains("set", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Create_does_not_quote_the_url()
    {
        var target = new GatewayTarget { Kind = GatewayTargetKind.McpHttp, Url = new Uri("ftp://user:secret@tools.example/") };

        var error = Assert.Throws<Sec0GatewayOptionsException>(() => GatewayUpstreamFactory.Create("srv", target, null));

        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }
}

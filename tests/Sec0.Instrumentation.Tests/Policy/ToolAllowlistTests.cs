using Sec0.Policy;

namespace Sec0.Instrumentation.Tests.Policy;

public sealed class ToolAllowlistTests
{
    [Theory]
    [InlineData("*", "any", "thing", null, true)]
    [InlineData("mcp://vision/*@*", "vision", "describe", "1.0.0", true)]
    [InlineData("mcp://vision/*@*", "vision", "describe", null, true)]
    [InlineData("mcp://vision/*@*", "visionary", "describe", "1.0.0", false)]
    [InlineData("mcp://vision/*@*", "Vision", "describe", "1.0.0", false)]
    [InlineData("mcp://vision/*", "vision", "describe", "9", true)]
    [InlineData("vision/describe@1.0.0", "vision", "describe", "1.0.0", true)]
    [InlineData("MCP://vision/describe@1.0.0", "vision", "describe", "1.0.0", true)]
    [InlineData("mcp://vision/describe@1.0.0", "vision", "describe", "1.0.1", false)]
    [InlineData("mcp://vision/describe@1.0.0", "vision", "describe", null, false)]
    [InlineData("mcp://vision/describe@1.0.0", "vision", "describe_all", "1.0.0", false)]
    [InlineData("mcp://fs/read_*@*", "fs", "read_file", "1", true)]
    [InlineData("mcp://fs/read_*@*", "fs", "write_file", "1", false)]
    [InlineData("mcp://fs/read_*@*", "fs2", "read_file", "1", false)]
    [InlineData("mcp://*/search@2.*", "web", "search", "2.1.0", true)]
    [InlineData("mcp://*/search@2.*", "web", "search", "20.0", false)]
    [InlineData("mcp://*/search@2.*", "web", "search", "3.0", false)]
    [InlineData("mcp://*/*@1.0.0", "any", "tool", "1.0.0", true)]
    [InlineData("mcp://*/*@1.0.0", "any", "tool", "1.0.0-rc", false)]
    public void Pattern_matches(string pattern, string server, string tool, string? version, bool expected)
    {
        Assert.Equal(expected, ToolRefPattern.Parse(pattern).IsMatch(server, tool, version));
        Assert.Equal(expected, ToolAllowlist.Parse(pattern).IsAllowed(server, tool, version));
    }

    [Theory]
    [InlineData("")]
    [InlineData("mcp://vision")]
    [InlineData("mcp:///tool")]
    [InlineData("mcp://vision/")]
    [InlineData("mcp://vision/tool@")]
    [InlineData("mcp://vi*on/tool")]
    [InlineData("mcp://vision/*tool")]
    [InlineData("mcp://vision/a/b")]
    [InlineData("mcp://vision/tool@1@2")]
    [InlineData("https://vision/tool")]
    [InlineData("mcp://vision/to ol")]
    [InlineData("**")]
    public void Invalid_patterns_are_rejected_with_a_reason(string pattern)
    {
        Assert.False(ToolRefPattern.TryParse(pattern, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
        Assert.Throws<FormatException>(() => ToolRefPattern.Parse(pattern));
    }

    [Fact]
    public void A_large_allowlist_finds_exact_and_pattern_entries()
    {
        var patterns = Enumerable.Range(0, 100).Select(index => $"mcp://server{index}/tool{index}@1.0.{index}").Append("mcp://wild*/x@*");
        var allowlist = ToolAllowlist.Parse(patterns);

        Assert.True(allowlist.IsAllowed("server42", "tool42", "1.0.42"));
        Assert.False(allowlist.IsAllowed("server42", "tool42", "1.0.43"));
        Assert.False(allowlist.IsAllowed("server42", "tool43", "1.0.42"));
        Assert.True(allowlist.IsAllowed("wildcat", "x", null));
        Assert.False(allowlist.IsAllowed("server100", "tool100", "1.0.100"));
        Assert.False(allowlist.AllowsEverything);
    }

    [Fact]
    public void An_empty_allowlist_allows_nothing()
    {
        Assert.False(new ToolAllowlist([]).IsAllowed("a", "b", "1"));
    }
}

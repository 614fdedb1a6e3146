using Sec0.Policy;

namespace Sec0.Instrumentation.Tests.Policy;

public sealed class FsAllowlistTests
{
    [Theory]
    [InlineData("/data", "/data", true)]
    [InlineData("/data", "/data/", true)]
    [InlineData("/data", "/data/a/b.txt", true)]
    [InlineData("/data/", "/data/a", true)]
    [InlineData("/data/*", "/data/a", true)]
    [InlineData("/data/**", "/data/a/b", true)]
    [InlineData("/data", "/database/x", false)]
    [InlineData("/data", "/dat", false)]
    [InlineData("/data", "/data/../etc/passwd", false)]
    [InlineData("/data", "/data/a/../../etc", false)]
    [InlineData("/data", "/data/./a/../b", true)]
    [InlineData("/data", "//data/a", true)]
    [InlineData("/data", "/data/a%2F..%2F..%2Fetc", true)]
    [InlineData("/data", "/etc/../data/x", true)]
    [InlineData("/data/../etc", "/etc/x", true)]
    [InlineData("/data/../etc", "/data/x", false)]
    [InlineData("/", "/anything", true)]
    [InlineData("/data", "", false)]
    [InlineData("/data", "/data/a\0b", false)]
    public void Path_matches(string entry, string path, bool expected)
    {
        Assert.Equal(expected, FsAllowlist.Parse("/base", entry).IsAllowed(path));
    }

    [Fact]
    public void Relative_entries_resolve_against_the_base_directory()
    {
        var allowlist = FsAllowlist.Parse("/srv/app", "./workspace", "../shared");

        Assert.Equal(["/srv/app/workspace", "/srv/shared"], allowlist.Roots);
        Assert.True(allowlist.IsAllowed("/srv/shared/x"));
        Assert.False(allowlist.IsAllowed("/srv/app/other"));
    }

    [Fact]
    public void Relative_paths_resolve_against_the_current_directory()
    {
        var allowlist = FsAllowlist.Parse("/", Environment.CurrentDirectory);

        Assert.True(allowlist.IsAllowed("some/file.txt"));
        Assert.False(allowlist.IsAllowed("../outside.txt"));
    }

    [Fact]
    public void Names_compare_ordinally_on_linux()
    {
        if (OperatingSystem.IsWindows() || OperatingSystem.IsMacOS())
        {
            return; // case-insensitive file systems compare names ignoring case
        }

        Assert.False(FsAllowlist.Parse("/", "/Data").IsAllowed("/data/x"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("~/data")]
    [InlineData("/data/*.txt")]
    [InlineData("/da?a")]
    public void Invalid_entries_are_rejected(string entry)
    {
        Assert.False(FsAllowlist.TryNormalizeEntry(entry, "/", out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }
}

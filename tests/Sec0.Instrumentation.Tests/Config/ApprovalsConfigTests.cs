using Sec0.Config;

namespace Sec0.Instrumentation.Tests.Config;

/// <summary>The <c>approvals:</c> block of sec0.config.yaml: reviewer groups, the default group and the store's folder.</summary>
public sealed class ApprovalsConfigTests : IDisposable
{
    private readonly TempConfigDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Without_the_block_there_are_no_groups_and_escalations_live_under_sec0Dir()
    {
        var config = Load(string.Empty);

        Assert.Equal(Path.Combine(config.ControlPlane.Sec0Dir, "approvals"), config.Approvals!.Directory);
        Assert.Null(config.Approvals.Groups.Resolve(null));
        Assert.Equal(TimeSpan.FromDays(30), config.Approvals.Retention);
    }

    [Fact]
    public void Groups_resolve_by_approval_set_id_and_the_default_group_when_none_is_named()
    {
        var config = Load("""
            approvals:
              dir: ./reviews
              retention_days: 7
              default_group: payments
              groups:
                payments:
                  - { user: alice, roles: [finance] }
                  - user: carol
                    roles: [finance, security, finance]
                legal: [{ user: erin, roles: [legal] }]
            """);

        Assert.Equal(Path.Combine(_dir.Root, "reviews"), config.Approvals!.Directory);
        Assert.Equal(TimeSpan.FromDays(7), config.Approvals.Retention);
        var payments = config.Approvals.Groups.Resolve(null)!;
        Assert.Equal(["alice", "carol"], payments.Select(r => r.User));
        Assert.Equal(["finance", "security"], payments[1].Roles);
        Assert.Equal("erin", Assert.Single(config.Approvals.Groups.Resolve("legal")!).User);
        Assert.Null(config.Approvals.Groups.Resolve("unknown"));
    }

    [Theory]
    [InlineData("approvals:\n  groups:\n    p: alice\n", "approvals.groups.p must be a list of reviewers")]
    [InlineData("approvals:\n  groups:\n    p: []\n", "approvals.groups.p must be a list of reviewers")]
    [InlineData("approvals:\n  groups:\n    p: [{ roles: [a] }]\n", "approvals.groups.p[0].user is required")]
    [InlineData("approvals:\n  groups:\n    p: [{ user: a }]\n", "approvals.groups.p[0].roles is required")]
    [InlineData("approvals:\n  groups:\n    p: [{ user: a, roles: [] }]\n", "approvals.groups.p[0].roles is required")]
    [InlineData("approvals:\n  groups:\n    p: [{ user: a, roles: [x], role: y }]\n", "approvals.groups.p[0].role is not a reviewer key")]
    [InlineData("approvals:\n  groups:\n    p: [{ user: a, roles: [x] }, { user: a, roles: [y] }]\n", "\"a\" is listed twice in this group")]
    [InlineData("approvals:\n  default_group: q\n  groups:\n    p: [{ user: a, roles: [x] }]\n", "approvals.default_group names the group \"q\", which is not under approvals.groups")]
    [InlineData("approvals:\n  group: {}\n", "approvals.group is not an approvals key")]
    [InlineData("approvals: [a]\n", "approvals must be a mapping")]
    [InlineData("approvals:\n  retention_days: 0\n", "approvals.retention_days must be an integer >= 1")]
    public void A_mistake_names_the_key_and_how_to_fix_it(string block, string expected)
    {
        var error = Assert.Throws<Sec0ConfigException>(() => Load(block));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.Line);
    }

    [Fact]
    public void A_group_holds_at_most_a_thousand_reviewers()
    {
        var reviewers = string.Concat(Enumerable.Range(0, ApprovalsConfig.MaxReviewersPerGroup + 1).Select(i => $"      - {{ user: u{i}, roles: [r] }}\n"));
        var error = Assert.Throws<Sec0ConfigException>(() => Load("approvals:\n  groups:\n    big:\n" + reviewers));
        Assert.Contains("lists 1001 reviewers; a group holds at most 1000", error.Message, StringComparison.Ordinal);
    }

    private Sec0Config Load(string block)
    {
        var path = _dir.Write("sec0.config.yaml", ConfigSamples.Minimal + "\n" + block);
        _dir.WriteKey();
        return Sec0ConfigLoader.Load(path, TempConfigDirectory.Options());
    }
}

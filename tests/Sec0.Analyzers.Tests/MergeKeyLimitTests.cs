using System.Text;
using Sec0.Config;
using static Sec0.Analyzers.Tests.Infrastructure.AnalyzerHarness;

namespace Sec0.Analyzers.Tests;

/// <summary>
/// The build expands YAML merge keys (<c>&lt;&lt;</c>) with the runtime loader's implementation and limits: a chain
/// whose every level merges the one below twice (2^n expansions when each merge is walked again) is analyzed in
/// bounded time, with the loader's outcome: read through at 26 levels, rejected at 40 with the loader's text.
/// </summary>
public class MergeKeyLimitTests
{
    // Generous: the fixed analyzer takes milliseconds; without the fix 26 levels took minutes and 40 days.
    private static readonly TimeSpan s_hang = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>d0</c> holds an agent hop's fields but agentVersion; each <c>dN</c> merges <c>d(N-1)</c> twice; the hop merges the top.
    /// </summary>
    private static string Chained(int levels)
    {
        var yaml = new StringBuilder("d0: &d0 { type: agent, nodeId: order-agent, agentName: order-agent }\n");
        for (var level = 1; level <= levels; level++)
        {
            yaml.Append($"d{level}: &d{level} {{ <<: [*d{level - 1}, *d{level - 1}] }}\n");
        }

        return yaml.Append($"""
            app:
              tenant: demo
              environment: dev
              hops:
                OrderAgent.Run:
                  <<: *d{levels}
            controlPlane:
              sec0Dir: ./.sec0
              localSignerPath: ./.sec0/keys/ed25519.key

            """).ToString();
    }

    [Theory]
    [InlineData(26, "SEC0004", "[sec0] Hop \"OrderAgent.Run\" requires a non-empty 'agentVersion' value.")]
    [InlineData(40, "SEC0007", "[sec0] Invalid config file: /proj/sec0.config.yaml (app.hops.OrderAgent.Run has merge keys (<<) that are cyclic or nested too deeply, line ")]
    public async Task A_chained_merge_file_is_analyzed_in_bounded_time_as_the_loader_reads_it(int levels, string id, string message)
    {
        var yaml = Chained(levels);
        var loaderError = Assert.Throws<Sec0ConfigException>(() => Sec0ConfigLoader.Parse(yaml, ConfigPath, new Sec0ConfigLoadOptions { CheckSigningKeyExists = false }));
        Assert.StartsWith(message, loaderError.Message, StringComparison.Ordinal);

        var run = Task.Run(() => RunAsync("namespace App; public class C { }", yaml));
        Assert.True(await Task.WhenAny(run, Task.Delay(s_hang)) == run, $"the analyzer did not finish within {s_hang.TotalSeconds} s on {levels} chained merge levels");
        var diagnostics = await run;

        var problem = Assert.Single(diagnostics, d => d.Id is "SEC0004" or "SEC0005" or "SEC0007");
        Assert.Equal(id, problem.Id);
        Assert.Equal(loaderError.Message, problem.GetMessage());
    }

    [Fact]
    public async Task A_mapping_that_merges_itself_is_the_loaders_cycle_error()
    {
        const string yaml = "app: &self\n  tenant: demo\n  environment: dev\n  <<: *self\ncontrolPlane:\n  sec0Dir: ./.sec0\n  localSignerPath: ./k\n";
        var loaderError = Assert.Throws<Sec0ConfigException>(() => Sec0ConfigLoader.Parse(yaml, ConfigPath, new Sec0ConfigLoadOptions { CheckSigningKeyExists = false }));

        var diagnostics = await RunAsync("namespace App; public class C { }", yaml);

        Assert.Equal(loaderError.Message, Single(diagnostics, "SEC0007").GetMessage());
    }
}

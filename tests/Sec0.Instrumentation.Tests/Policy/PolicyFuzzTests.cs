using System.Globalization;
using System.Text;
using Sec0.Instrumentation.Tests.Support;
using Sec0.Policy;
using Xunit.Abstractions;

namespace Sec0.Instrumentation.Tests.Policy;

/// <summary>
/// Mutates valid policies at random and loads each result: whatever the bytes, the loader must either
/// return a policy or throw <see cref="Sec0PolicyException"/> with at least one problem, and every
/// loaded policy must compile into a decision engine. Set SEC0_FUZZ_SEED to replay a run; a failure
/// reports the seed and iteration and keeps the offending file.
/// </summary>
public sealed class PolicyFuzzTests(ITestOutputHelper output)
{
    private const int Iterations = 3000;
    private const int DefaultSeed = 0x5EC1;

    private static readonly string[] s_tokens =
    [
        ":", ": ", "- ", "[", "]", "{", "}", ",", "&a ", "*a", "*undefined", "!", "!!int ", "!!binary ", "|", ">", "%", "@", "`",
        "\t", "\0", "\n", "#", "'", "\"", "\\", "? ", "<<: ", "<<: *a\n", "---\n", "...\n", "~", "null", "\u2028", "\uFEFF",
        "\U0001F600", "&a [*a]", "&c { <<: *c }", "*", "mcp://", "https://", "%2F", "..", "@evil.io", "xn--", "deny_onn",
    ];

    private static readonly string[] s_values =
    [
        "99999999999", "-1", "0", "1e309", "NaN", "''", "[]", "{}", "[a, [b, {c: d}]]", "~", "yes", "true", "\"*\"", "[\"*\"]",
        "[foo]", "[circuit_open]", "https://api.ok.com*", "[\"https://ok.com@evil.io\"]", "[\"/data/../etc\"]", "observe",
        "deny_on_any", "[mcp://a]", "\"\\uD800\"", "!!float .nan", "|\n  multi\n  line", "{ error_rate_pct: 0 }",
    ];

    private static readonly byte[][] s_invalidUtf8 = [[0xC3, 0x28], [0xFF], [0xED, 0xA0, 0x80], [0x80]];

    private static readonly YamlMutator s_mutator = new(s_tokens, s_values, s_invalidUtf8);

    [Fact]
    public void Randomly_mutated_policies_either_load_or_throw_Sec0PolicyException()
    {
        var seedText = Environment.GetEnvironmentVariable("SEC0_FUZZ_SEED");
        var seed = int.TryParse(seedText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : DefaultSeed;
        output.WriteLine($"SEC0_FUZZ_SEED={seed}");
        var random = new Random(seed);
        var seeds = new[] { PolicySamples.Full, PolicySamples.Quickstart }.Select(Encoding.UTF8.GetBytes).ToArray();
        using var dir = new TempDirectory();
        var path = dir.Combine("policy.yaml");
        var loaded = 0;
        var rejected = 0;

        for (var iteration = 0; iteration < Iterations; iteration++)
        {
            var bytes = seeds[random.Next(seeds.Length)];
            var mutations = 1 + random.Next(5);
            for (var m = 0; m < mutations; m++)
            {
                bytes = s_mutator.Mutate(bytes, random);
            }

            File.WriteAllBytes(path, bytes);
            try
            {
                var policy = PolicyLoader.Load(path);
                var engine = DecisionEngine.Create(policy);
                engine.Decide(new DecisionContext { Server = "a", Tool = "b", EgressUrl = "https://ok.com/x", FsPath = "/data/x" });
                PolicyCheck.Summarize(policy);
                loaded++;
            }
            catch (Sec0PolicyException ex)
            {
                Assert.True(ex.Problems.Count > 0, Describe(seed, iteration, bytes, ex));
                Assert.All(ex.Problems, problem => Assert.False(string.IsNullOrEmpty(problem.Message), Describe(seed, iteration, bytes, ex)));
                rejected++;
            }
            catch (Exception ex)
            {
                Assert.Fail(Describe(seed, iteration, bytes, ex));
            }
        }

        output.WriteLine($"{Iterations} policies: {loaded} loaded, {rejected} rejected");
        Assert.InRange(loaded, 1, Iterations - 1);
        Assert.InRange(rejected, 1, Iterations - 1);
    }

    private static string Describe(int seed, int iteration, byte[] bytes, Exception ex)
    {
        var kept = Path.Combine(Path.GetTempPath(), $"sec0-policy-fuzz-failure-{seed}-{iteration}.yaml");
        File.WriteAllBytes(kept, bytes);
        return $"SEC0_FUZZ_SEED={seed}, iteration {iteration}, file kept at {kept}: {ex}";
    }
}

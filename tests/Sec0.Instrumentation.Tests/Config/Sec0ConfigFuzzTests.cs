using System.Diagnostics;
using System.Globalization;
using System.Text;
using Sec0.Config;
using Sec0.Instrumentation.Tests.Support;
using Xunit.Abstractions;

namespace Sec0.Instrumentation.Tests.Config;

/// <summary>
/// Mutates valid configs at random and loads each result from a real file: whatever the bytes, the
/// loader must either return a config or throw <see cref="Sec0ConfigException"/>. Set SEC0_FUZZ_SEED to
/// replay a run; a failure reports the seed, the iteration and keeps the offending file.
/// </summary>
public sealed class Sec0ConfigFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int Iterations = 3000;
    private const int DefaultSeed = 0x5EC0;

    private static readonly string[] s_tokens =
    [
        ":", ": ", "- ", "-", "[", "]", "{", "}", ",", "&", "&a ", "*", "*a", "*undefined", "!", "!!int ", "!!binary ", "!!map ",
        "|", "|-\n", ">", "%", "%YAML 1.2\n", "@", "`", "\t", "\0", "\n", "\r\n", "#", "'", "\"", "\\", "? ", "<<: ", "<<: *a\n",
        "---\n", "...\n", "~", "null", "\u2028", "\uFEFF", "\U0001F600", "&a [*a]", "&c { <<: *c }", "{ <<: [1, 2] }",
    ];

    private static readonly string[] s_values =
    [
        "99999999999", "99999999999999999999999999", "-1", "0", "1e309", "0x7FFFFFFF", "-2147483649", "''", "\"\"", "[]", "{}",
        "[a, [b, {c: d}]]", "~", "yes", "\"a\\0b\"", "/", "~/", "..", "\"\\uD800\"", "!!float .nan", "|\n  multi\n  line",
    ];

    private static readonly byte[][] s_invalidUtf8 = [[0xC3, 0x28], [0xFF], [0xFE, 0xFF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80]];

    private static readonly YamlMutator s_mutator = new(s_tokens, s_values, s_invalidUtf8);

    private readonly TempConfigDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Randomly_mutated_configs_either_load_or_throw_Sec0ConfigException()
    {
        var seedText = Environment.GetEnvironmentVariable("SEC0_FUZZ_SEED");
        var seed = int.TryParse(seedText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : DefaultSeed;
        output.WriteLine($"SEC0_FUZZ_SEED={seed}");
        var random = new Random(seed);
        var seeds = new[] { ConfigSamples.Full, ConfigSamples.Minimal, ConfigSamples.Anchors }.Select(Encoding.UTF8.GetBytes).ToArray();
        var path = Path.Combine(_dir.Root, "sec0.config.yaml");
        _dir.WriteKey();
        var options = TempConfigDirectory.Options(true, ("SVC_TOKEN", "fuzz-token"), ("HOME", _dir.Root));
        var loaded = 0;
        var rejected = 0;
        var kinds = new Dictionary<string, int>(StringComparer.Ordinal);
        var stopwatch = Stopwatch.StartNew();

        for (var iteration = 0; iteration < Iterations; iteration++)
        {
            var bytes = seeds[random.Next(seeds.Length)];
            var mutations = 1 + random.Next(6);
            for (var m = 0; m < mutations; m++)
            {
                bytes = s_mutator.Mutate(bytes, random);
            }

            File.WriteAllBytes(path, bytes);
            try
            {
                Sec0ConfigLoader.Load(path, options);
                loaded++;
            }
            catch (Sec0ConfigException ex)
            {
                Assert.True(ex.Message.StartsWith("[sec0] ", StringComparison.Ordinal), Describe(seed, iteration, bytes, ex));
                rejected++;
                var kind = Kind(ex.Message, path);
                kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            }
            catch (Exception ex)
            {
                Assert.Fail(Describe(seed, iteration, bytes, ex));
            }
        }

        output.WriteLine($"{Iterations} files in {stopwatch.ElapsedMilliseconds} ms: {loaded} loaded, {rejected} rejected");
        foreach (var (kind, count) in kinds.OrderByDescending(pair => pair.Value))
        {
            output.WriteLine($"{count,6}  {kind}");
        }

        // A fuzz run where nothing loads (or nothing fails) has stopped exercising one of the two paths.
        Assert.InRange(loaded, 1, Iterations - 1);
        Assert.InRange(rejected, 1, Iterations - 1);
    }

    /// <summary>The error text without its variable parts, to summarize which checks the run reached.</summary>
    private static string Kind(string message, string path)
    {
        var text = message.Replace(path, "<path>", StringComparison.Ordinal);
        var cut = text.IndexOfAny([':', '"', ','], "[sec0] ".Length);
        var detail = text.IndexOf(" (", StringComparison.Ordinal);
        if (detail > 0)
        {
            var end = text.IndexOfAny([' ', ',', ')'], detail + 2);
            return text[..(end < 0 ? text.Length : end)];
        }

        return cut < 0 ? text : text[..cut];
    }

    private static string Describe(int seed, int iteration, byte[] bytes, Exception ex)
    {
        var kept = Path.Combine(Path.GetTempPath(), $"sec0-fuzz-failure-{seed}-{iteration}.yaml");
        File.WriteAllBytes(kept, bytes);
        return $"SEC0_FUZZ_SEED={seed}, iteration {iteration}, file kept at {kept}: {ex}";
    }
}

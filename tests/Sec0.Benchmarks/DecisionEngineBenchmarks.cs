using BenchmarkDotNet.Attributes;
using Sec0.Policy;

namespace Sec0.Benchmarks;

/// <summary>
/// Decision cost for a policy with a 100-entry tool allowlist (issue 5: median ≤ 200 ns and no
/// allocation for an allowed call). The baseline is what a user would write by hand: a
/// <see cref="HashSet{T}"/> of <c>mcp://server/tool@version</c> strings and one <c>Contains</c>, which
/// has to build the key string per call.
/// </summary>
[MemoryDiagnoser]
public class DecisionEngineBenchmarks
{
    private DecisionEngine _engine = null!;
    private HashSet<string> _handWritten = null!;
    private DecisionContext _allowed;
    private DecisionContext _denied;

    [GlobalSetup]
    public void Setup()
    {
        var patterns = string.Join(", ", Enumerable.Range(0, 100).Select(index => $"\"mcp://server{index}/tool{index}@1.0.{index}\""));
        var policy = PolicyLoader.Parse(
            $$"""
            tenant: bench
            tools: { allowlist: [{{patterns}}], deny_if_unpinned_version: true }
            enforcement: { deny_on: [tool_not_in_allowlist, version_unpinned, payload_too_large, missing_idempotency_for_side_effect, sast_failed] }
            security: { limits: { max_payload_kb: 64, max_duration_ms: 30000 }, side_effects: { require_idempotency_key: true } }
            sast: { enabled: true, block_on_change: true }
            """,
            "benchmark-policy.yaml");
        _engine = DecisionEngine.Create(policy);
        _handWritten = new HashSet<string>(Enumerable.Range(0, 100).Select(index => $"mcp://server{index}/tool{index}@1.0.{index}"), StringComparer.Ordinal);
        _allowed = new DecisionContext
        {
            Server = "server57",
            Tool = "tool57",
            Version = "1.0.57",
            PayloadBytes = 2048,
            IsSideEffect = true,
            HasIdempotencyKey = true,
            CodeHash = "sha256:0f3c",
            SastStatus = ScanStatus.Pass,
        };
        _denied = _allowed with { Server = "server999" };
    }

    [Benchmark(Baseline = true, Description = "HashSet<string>.Contains (hand-written allowlist)")]
    public bool HandWrittenAllowlist() => _handWritten.Contains($"mcp://{_allowed.Server}/{_allowed.Tool}@{_allowed.Version}");

    [Benchmark(Description = "DecisionEngine.Decide, allowed call")]
    public DecisionOutcome DecideAllowed() => _engine.Decide(in _allowed).Outcome;

    [Benchmark(Description = "DecisionEngine.Decide, denied call")]
    public DecisionOutcome DecideDenied() => _engine.Decide(in _denied).Outcome;
}

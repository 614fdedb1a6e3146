using Sec0.Policy;

namespace Sec0.Instrumentation.Tests.Policy;

public sealed class PolicyCheckTests
{
    [Fact]
    public void A_valid_policy_gives_a_summary_of_what_it_enforces()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("policy.yaml");
        File.WriteAllText(path, PolicySamples.Full);

        var result = PolicyCheck.Run(path);

        Assert.True(result.Ok, string.Join("\n", result.Problems));
        Assert.Empty(result.Problems);
        Assert.Equal(
            $"""
            policy {path} (tenant acme, retention 90d): OK
            mode: enforce; strategy: deny_on_match
            deny_on: tool_not_in_allowlist, egress_violation, payload_too_large, sast_failed
            escalate: payload_too_large (escalate_on)
            tools: allowlist of 3 patterns; allow_versions for 1 tool; unpinned versions are violations
            egress: allowlist of 2 entries
            files: allowlist of 2 folders
            limits: payload <= 256 KiB, duration <= 30000 ms
            side effects: an idempotency key is required
            circuit breakers: open on error rate >= 50% or p95 latency >= 2000 ms over the last 100 calls (at least 10), cooldown 30000 ms
            sast: on (block_on_severity high, block_on_change, scanner errors fail closed)
            dast: on (https://sandbox.ok.com/, block_on_severity medium, scanner errors fail closed)
            detected but only recorded (not in deny_on or escalate_on): version_unpinned, missing_idempotency_for_side_effect, fs_violation, duration_too_long, sast_pending, dast_failed
            """.Replace("\r\n", "\n", StringComparison.Ordinal),
            result.Summary);
    }

    [Fact]
    public void The_quickstart_summary_says_nothing_is_denied()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("policy.yaml");
        File.WriteAllText(path, PolicySamples.Quickstart);

        var result = PolicyCheck.Run(path);

        Assert.True(result.Ok);
        Assert.Contains("deny_on: (empty: nothing is denied)", result.Summary, StringComparison.Ordinal);
        Assert.Contains("tools: every tool allowed (\"*\")", result.Summary, StringComparison.Ordinal);
        Assert.Contains("sast: off", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_policy_lists_every_problem()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("policy.yaml");
        File.WriteAllText(path, "tenant: demo\nenforcement:\n  deny_on: [foo, bar]\n");

        var result = PolicyCheck.Run(path);

        Assert.False(result.Ok);
        Assert.Equal(2, result.Problems.Count);
        Assert.StartsWith("enforcement.deny_on[0] (line 3): \"foo\" is not a known reason; expected one of: ", result.Problems[0].ToString(), StringComparison.Ordinal);
        Assert.Equal($"{path}: 2 problems", result.Summary);
    }

    [Fact]
    public void A_missing_file_is_one_problem()
    {
        var result = PolicyCheck.Run("/nonexistent/sec0/policy.yaml");

        Assert.False(result.Ok);
        Assert.Equal("(policy): policy file not found: /nonexistent/sec0/policy.yaml", Assert.Single(result.Problems).ToString());
    }
}

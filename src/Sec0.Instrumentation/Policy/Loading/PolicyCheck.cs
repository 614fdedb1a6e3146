using System.Globalization;
using System.Text;
using Sec0.Config;

namespace Sec0.Policy;

/// <summary>
/// What <c>sec0 policy check &lt;policy.yaml&gt;</c> runs: load a policy and describe what it enforces, or
/// list every problem. The CLI prints each problem as <c>path (line L): message</c> and exits 1, or prints
/// the summary and exits 0.
/// </summary>
public static class PolicyCheck
{
    /// <summary>Checks the policy file at <paramref name="path"/>. Never throws for a bad file.</summary>
    public static PolicyCheckResult Run(string path)
    {
        try
        {
            var policy = PolicyLoader.Load(path);
            return new PolicyCheckResult(true, [], Summarize(policy));
        }
        catch (Sec0PolicyException ex)
        {
            var count = ex.Problems.Count;
            return new PolicyCheckResult(false, ex.Problems, $"{ex.SourceName}: {count} {(count == 1 ? "problem" : "problems")}");
        }
    }

    /// <summary>A short description of what <paramref name="policy"/> enforces, one fact per line.</summary>
    public static string Summarize(PolicyDocument policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var enforcement = policy.Enforcement;
        var security = policy.Security;
        var engine = DecisionEngine.Create(policy);
        var text = new StringBuilder();
        void Line(string line) => text.Append(line).Append('\n');

        Line($"policy {policy.SourceName} (tenant {policy.Tenant}, retention {policy.DefaultRetention}): OK");
        var mode = enforcement.Mode == EnforcementMode.Observe ? "observe (violations are recorded as would_deny; nothing is blocked)" : "enforce";
        Line($"mode: {mode}; strategy: {(enforcement.Strategy == EnforcementStrategy.DenyOnAny ? "deny_on_any (every violation denies)" : "deny_on_match")}");
        if (enforcement.Strategy == EnforcementStrategy.DenyOnMatch)
        {
            Line(engine.DenyOn.IsEmpty ? "deny_on: (empty: nothing is denied)" : $"deny_on: {Names(engine.DenyOn)}");
        }

        var escalateSource = enforcement.EscalateOn is not null ? "escalate_on"
            : security.SideEffects.ApproveHighRisk ? "deny_on, as approve_high_risk is true" : null;
        Line(engine.EscalateOn.IsEmpty ? "escalate: nothing" : $"escalate: {Names(engine.EscalateOn)} ({escalateSource})");

        var tools = policy.Tools.Allowlist switch
        {
            null => "tools: not checked (no tools.allowlist)",
            { AllowsEverything: true } => "tools: every tool allowed (\"*\")",
            var list => $"tools: allowlist of {Count(list.Patterns.Count, "pattern")}",
        };
        if (security.AllowVersions.Count > 0)
        {
            tools += $"; allow_versions for {Count(security.AllowVersions.Count, "tool")}";
        }

        if (security.AllowVersionsByServer.Count > 0)
        {
            tools += $"; allow_versions for every tool of {Count(security.AllowVersionsByServer.Count, "server")} (other versions are version_unpinned)";
        }

        Line(tools + (policy.Tools.DenyIfUnpinnedVersion ? "; unpinned versions are violations" : string.Empty));
        Line(security.EgressAllowlist is { } egress ? $"egress: allowlist of {Count(egress.Rules.Count, "entry", "entries")}" : "egress: not checked");
        Line(security.FsAllowlist is { } fs ? $"files: allowlist of {Count(fs.Roots.Count, "folder")}" : "files: not checked");

        var limits = new List<string>();
        if (security.Limits.MaxPayloadKb is double kb)
        {
            limits.Add($"payload <= {Number(kb)} KiB");
        }

        if (security.Limits.MaxDurationMs is double ms)
        {
            limits.Add($"duration <= {Number(ms)} ms");
        }

        Line(limits.Count == 0 ? "limits: none" : "limits: " + string.Join(", ", limits));
        if (security.SideEffects.RequireIdempotencyKey)
        {
            Line("side effects: an idempotency key is required");
        }

        Line(enforcement.CircuitBreakers is { } breakers ? $"circuit breakers: {Breakers(breakers)}" : "circuit breakers: off");
        Line(policy.Sast.Enabled
            ? $"sast: on (block_on_severity {Severity(policy.Sast.BlockOnSeverity)}{(policy.Sast.BlockOnChange ? ", block_on_change" : string.Empty)}, scanner errors {(policy.Sast.FailOnError ? "fail closed" : "fail open")})"
            : "sast: off");
        Line(policy.Dast.Enabled
            ? $"dast: on ({policy.Dast.SandboxUrl}, block_on_severity {Severity(policy.Dast.BlockOnSeverity)}{(policy.Dast.BlockOnChange ? ", block_on_change" : string.Empty)}, scanner errors {(policy.Dast.FailOnError ? "fail closed" : "fail open")})"
            : "dast: off");

        var recordedOnly = RecordedOnly(policy, engine);
        if (!recordedOnly.IsEmpty)
        {
            Line($"detected but only recorded (not in deny_on or escalate_on): {Names(recordedOnly)}");
        }

        if (policy.IgnoredKeys.Count > 0)
        {
            Line($"accepted but not enforced by this SDK: {string.Join(", ", policy.IgnoredKeys)}");
        }

        return text.ToString().TrimEnd('\n');
    }

    /// <summary>Reasons the policy's own settings detect that neither deny nor escalate under deny_on_match.</summary>
    private static PolicyReasonSet RecordedOnly(PolicyDocument policy, DecisionEngine engine)
    {
        if (policy.Enforcement.Strategy == EnforcementStrategy.DenyOnAny || policy.Enforcement.Mode == EnforcementMode.Observe)
        {
            return PolicyReasonSet.Empty;
        }

        var detected = PolicyReasonSet.Empty;
        var security = policy.Security;
        if ((policy.Tools.Allowlist is { AllowsEverything: false }) || security.AllowVersions.Count > 0)
        {
            detected = detected.Add(PolicyReason.ToolNotInAllowlist);
        }

        if (policy.Tools.DenyIfUnpinnedVersion || security.AllowVersionsByServer.Count > 0)
        {
            detected = detected.Add(PolicyReason.VersionUnpinned);
        }

        if (security.SideEffects.RequireIdempotencyKey)
        {
            detected = detected.Add(PolicyReason.MissingIdempotencyForSideEffect);
        }

        if (security.EgressAllowlist is not null)
        {
            detected = detected.Add(PolicyReason.EgressViolation);
        }

        if (security.FsAllowlist is not null)
        {
            detected = detected.Add(PolicyReason.FsViolation);
        }

        if (security.Limits.MaxPayloadKb is not null)
        {
            detected = detected.Add(PolicyReason.PayloadTooLarge);
        }

        if (security.Limits.MaxDurationMs is not null)
        {
            detected = detected.Add(PolicyReason.DurationTooLong);
        }

        if (policy.Sast.Enabled)
        {
            detected = detected.Add(PolicyReason.SastFailed);
            if (policy.Sast.BlockOnChange)
            {
                detected = detected.Add(PolicyReason.SastPending);
            }
        }

        if (policy.Dast.Enabled)
        {
            detected = detected.Add(PolicyReason.DastFailed);
            if (policy.Dast.BlockOnChange)
            {
                detected = detected.Add(PolicyReason.DastPending);
            }
        }

        return detected.Except(engine.DenyOn).Except(engine.EscalateOn);
    }

    private static string Breakers(CircuitBreakerOptions options)
    {
        var triggers = new List<string>();
        if (options.ErrorRatePct is double rate)
        {
            triggers.Add($"error rate >= {Number(rate)}%");
        }

        if (options.P95LatencyMs is double p95)
        {
            triggers.Add($"p95 latency >= {Number(p95)} ms");
        }

        return $"open on {string.Join(" or ", triggers)} over the last {options.WindowSize.ToString(CultureInfo.InvariantCulture)} calls (at least {options.MinSamples.ToString(CultureInfo.InvariantCulture)}), cooldown {options.CooldownMs.ToString(CultureInfo.InvariantCulture)} ms";
    }

    private static string Names(PolicyReasonSet reasons) => string.Join(", ", reasons.ToNames());

    private static string Count(int count, string singular, string? plural = null) =>
        $"{count.ToString(CultureInfo.InvariantCulture)} {(count == 1 ? singular : plural ?? singular + "s")}";

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Severity(ScanSeverity severity) => severity.ToString().ToLowerInvariant();
}

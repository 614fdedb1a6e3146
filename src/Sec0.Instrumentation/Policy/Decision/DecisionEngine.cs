using System.Runtime.CompilerServices;
using Sec0.Config;

namespace Sec0.Policy;

/// <summary>
/// The one place calls are decided before they run. <see cref="Create"/> compiles a policy once into
/// lookup tables and bit masks; <see cref="Decide"/> is then a pure function of the context: no I/O, no
/// locks, and no allocation unless the context carries an egress URL or file path to parse.
/// </summary>
/// <remarks>
/// Outcome rules, applied to the set V of violated reasons:
/// <list type="bullet">
/// <item>D, the denying reasons: V ∩ deny_on under <c>deny_on_match</c> (an empty deny_on denies nothing), all of V under <c>deny_on_any</c>.</item>
/// <item>E, the escalating reasons: V ∩ escalate_on; when escalate_on is absent, V ∩ deny_on if <c>approve_high_risk</c> is true, else none.</item>
/// <item>deny when <c>circuit_open</c> or <c>malformed_input</c> is in V, the caller is not entitled (<see cref="DecisionContext.NotEntitled"/>), or some reason of D is not in E; otherwise escalate when E is not empty; otherwise allow.</item>
/// <item>In <c>observe</c> mode a deny or escalate becomes <c>would_deny</c>: the call runs. Except with <c>malformed_input</c>,
/// which denies in every mode: an input that cannot be hashed cannot be recorded faithfully, so it never runs.</item>
/// </list>
/// </remarks>
public sealed class DecisionEngine
{
    // Reasons that deny whatever deny_on and escalate_on say; of them only malformed_input also ignores observe mode.
    private static readonly PolicyReasonSet s_alwaysDeny = PolicyReasonSet.Of(PolicyReason.CircuitOpen).Add(PolicyReason.MalformedInput);

    private readonly ConditionalWeakTable<HopEnforcementConfig, DecisionEngine> _hopViews;

    private readonly ToolAllowlist? _toolAllowlist;
    private readonly bool _denyIfUnpinnedVersion;
    private readonly AllowedVersionTable? _allowVersions;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>>? _allowVersionsByServer;
    private readonly EgressAllowlist? _egressAllowlist;
    private readonly FsAllowlist? _fsAllowlist;
    private readonly long _maxPayloadBytes;
    private readonly double _maxDurationMs;
    private readonly bool _requireIdempotencyKey;
    private readonly bool _sastEnabled;
    private readonly bool _sastBlockOnChange;
    private readonly bool _sastFailOnError;
    private readonly bool _dastEnabled;
    private readonly bool _dastBlockOnChange;
    private readonly bool _dastFailOnError;

    private readonly EnforcementMode _mode;
    private readonly EnforcementStrategy _strategy;
    private readonly PolicyReasonSet _denyOn;
    private readonly PolicyReasonSet _escalateOn;

    private DecisionEngine(PolicyDocument policy)
    {
        Policy = policy;
        _hopViews = new ConditionalWeakTable<HopEnforcementConfig, DecisionEngine>();
        _toolAllowlist = policy.Tools.Allowlist;
        _denyIfUnpinnedVersion = policy.Tools.DenyIfUnpinnedVersion;
        _allowVersions = policy.Security.AllowVersions.Count == 0 ? null : new AllowedVersionTable(policy.Security.AllowVersions);
        _allowVersionsByServer = policy.Security.AllowVersionsByServer.Count == 0 ? null : policy.Security.AllowVersionsByServer;
        _egressAllowlist = policy.Security.EgressAllowlist;
        _fsAllowlist = policy.Security.FsAllowlist;
        _maxPayloadBytes = policy.Security.Limits.MaxPayloadKb is double kb ? (long)Math.Min(kb * 1024, long.MaxValue) : long.MaxValue;
        _maxDurationMs = policy.Security.Limits.MaxDurationMs ?? double.PositiveInfinity;
        _requireIdempotencyKey = policy.Security.SideEffects.RequireIdempotencyKey;
        _sastEnabled = policy.Sast.Enabled;
        _sastBlockOnChange = policy.Sast.BlockOnChange;
        _sastFailOnError = policy.Sast.FailOnError;
        _dastEnabled = policy.Dast.Enabled;
        _dastBlockOnChange = policy.Dast.BlockOnChange;
        _dastFailOnError = policy.Dast.FailOnError;

        var enforcement = policy.Enforcement;
        _mode = enforcement.Mode;
        _strategy = enforcement.Strategy;
        (_denyOn, _escalateOn) = Masks(enforcement.DenyOn, enforcement.EscalateOn, policy.Security.SideEffects.ApproveHighRisk);
    }

    private DecisionEngine(DecisionEngine source, EnforcementMode mode, EnforcementStrategy strategy, PolicyReasonSet denyOn, PolicyReasonSet escalateOn)
    {
        // A per-hop view shares the compiled checks; only the enforcement masks differ.
        Policy = source.Policy;
        _hopViews = source._hopViews;
        _toolAllowlist = source._toolAllowlist;
        _denyIfUnpinnedVersion = source._denyIfUnpinnedVersion;
        _allowVersions = source._allowVersions;
        _allowVersionsByServer = source._allowVersionsByServer;
        _egressAllowlist = source._egressAllowlist;
        _fsAllowlist = source._fsAllowlist;
        _maxPayloadBytes = source._maxPayloadBytes;
        _maxDurationMs = source._maxDurationMs;
        _requireIdempotencyKey = source._requireIdempotencyKey;
        _sastEnabled = source._sastEnabled;
        _sastBlockOnChange = source._sastBlockOnChange;
        _sastFailOnError = source._sastFailOnError;
        _dastEnabled = source._dastEnabled;
        _dastBlockOnChange = source._dastBlockOnChange;
        _dastFailOnError = source._dastFailOnError;
        _mode = mode;
        _strategy = strategy;
        _denyOn = denyOn;
        _escalateOn = escalateOn;
    }

    /// <summary>The policy this engine was compiled from.</summary>
    public PolicyDocument Policy { get; }

    /// <summary>The mode in effect (the policy's, or a hop's override).</summary>
    public EnforcementMode Mode => _mode;

    /// <summary>The strategy in effect.</summary>
    public EnforcementStrategy Strategy => _strategy;

    /// <summary>The reasons that deny under <c>deny_on_match</c>.</summary>
    public PolicyReasonSet DenyOn => _denyOn;

    /// <summary>The reasons that escalate instead of denying.</summary>
    public PolicyReasonSet EscalateOn => _escalateOn;

    /// <summary>Compiles <paramref name="policy"/>. Do this once per policy and share the engine: it is immutable and thread-safe.</summary>
    public static DecisionEngine Create(PolicyDocument policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new DecisionEngine(policy);
    }

    /// <summary>
    /// A view of this engine with a hop's <c>enforcement</c> block from <c>sec0.config.yaml</c> in place of the
    /// policy's: mode and strategy are the block's; a block with deny_on replaces deny_on and escalate_on (escalate_on
    /// absent falls back to the hop's deny_on when the policy's <c>approve_high_risk</c> is true, as at policy level),
    /// a block without deny_on keeps the policy's deny_on (and its escalate_on unless the block has one), as Sec0's
    /// TypeScript SDK does; <c>enabled: false</c> works as observe mode. Allowlists, limits, scans and breakers stay the policy's. A hop
    /// without a block (<see cref="HopEnforcementConfig.Default"/>) gets this engine unchanged. Views are
    /// cached per config instance, so calling this on every call is cheap.
    /// </summary>
    /// <param name="enforcement">The hop's enforcement block.</param>
    /// <param name="yamlPath">Where the block is, for error messages (e.g. <c>app.hops.OrderAgent.Run.enforcement</c>).</param>
    /// <exception cref="Sec0PolicyException">The block names an unknown reason or strategy.</exception>
    public DecisionEngine WithEnforcement(HopEnforcementConfig enforcement, string yamlPath = "enforcement")
    {
        ArgumentNullException.ThrowIfNull(enforcement);
        if (ReferenceEquals(enforcement, HopEnforcementConfig.Default))
        {
            return this;
        }

        if (_hopViews.TryGetValue(enforcement, out var cached))
        {
            return cached;
        }

        var view = CreateView(enforcement, yamlPath);
        return _hopViews.GetValue(enforcement, _ => view);
    }

    /// <summary>A set of circuit breakers configured by <c>enforcement.circuit_breakers</c>, or null when the policy has none.</summary>
    /// <param name="timeProvider">The clock for cooldowns; null for the system clock.</param>
    public CircuitBreakerSet? CreateCircuitBreakers(TimeProvider? timeProvider = null) =>
        Policy.Enforcement.CircuitBreakers is { } options ? new CircuitBreakerSet(options, timeProvider) : null;

    /// <summary>Decides one call before it runs. Pure: the same context always gives the same decision.</summary>
    public Decision Decide(in DecisionContext context)
    {
        var violations = FindViolations(in context);
        if (violations.IsEmpty)
        {
            return new Decision(
                DecisionOutcome.Allow,
                PolicyReasonSet.Empty,
                PolicyReasonSet.Empty,
                PolicyReason.None,
                context.IsSideEffect ? PolicyRiskTags.SideEffect : PolicyRiskTags.None,
                0);
        }

        var hard = violations.Intersect(s_alwaysDeny);
        if (context.NotEntitled)
        {
            // Entitlements are authorization: like the TS gateway's authz check they deny whatever deny_on lists
            // (observe mode still only records them), so a gateway with entitlements and no policy is not open.
            hard = hard.Add(PolicyReason.ToolNotInAllowlist);
        }

        var soft = violations.Except(hard);
        var denying = _strategy == EnforcementStrategy.DenyOnAny ? soft : soft.Intersect(_denyOn);
        var escalating = soft.Intersect(_escalateOn);
        var denyOnly = denying.Except(escalating).Union(hard);

        DecisionOutcome outcome;
        PolicyReasonSet blocking;
        if (!denyOnly.IsEmpty)
        {
            outcome = DecisionOutcome.Deny;
            blocking = denyOnly;
        }
        else if (!escalating.IsEmpty)
        {
            outcome = DecisionOutcome.Escalate;
            blocking = escalating;
        }
        else
        {
            outcome = DecisionOutcome.Allow;
            blocking = PolicyReasonSet.Empty;
        }

        if (_mode == EnforcementMode.Observe && outcome != DecisionOutcome.Allow && !violations.Contains(PolicyReason.MalformedInput))
        {
            outcome = DecisionOutcome.WouldDeny;
        }

        var (score, tags) = RiskModel.Assess(violations);
        if (context.IsSideEffect)
        {
            tags |= PolicyRiskTags.SideEffect;
        }

        var primary = RiskModel.Primary(blocking.IsEmpty ? violations : blocking);
        return new Decision(outcome, violations, blocking, primary, tags, score);
    }

    /// <summary>Every reason the call violates under this policy, before strategy and mode are applied.</summary>
    public PolicyReasonSet FindViolations(in DecisionContext context)
    {
        var found = PolicyReasonSet.Empty;

        if (context.Server is { } server && context.Tool is { } tool)
        {
            var version = string.IsNullOrEmpty(context.Version) ? null : context.Version;
            if ((_toolAllowlist is not null && !_toolAllowlist.IsAllowed(server, tool, version))
                || (_allowVersions is not null && !_allowVersions.IsAllowed(server, tool, version)))
            {
                found = found.Add(PolicyReason.ToolNotInAllowlist);
            }

            if ((_denyIfUnpinnedVersion && !IsPinned(version))
                || (_allowVersionsByServer is not null && _allowVersionsByServer.TryGetValue(server, out var serverVersions) && (version is null || !serverVersions.Contains(version))))
            {
                found = found.Add(PolicyReason.VersionUnpinned);
            }
        }

        if (context.NotEntitled)
        {
            found = found.Add(PolicyReason.ToolNotInAllowlist);
        }

        if (_requireIdempotencyKey && context.IsSideEffect && !context.HasIdempotencyKey)
        {
            found = found.Add(PolicyReason.MissingIdempotencyForSideEffect);
        }

        if (context.PayloadBytes > _maxPayloadBytes)
        {
            found = found.Add(PolicyReason.PayloadTooLarge);
        }

        if (context.DurationEstimateMs is double duration && duration > _maxDurationMs)
        {
            found = found.Add(PolicyReason.DurationTooLong);
        }

        if (context.EgressUrl is not null && _egressAllowlist is not null && !_egressAllowlist.IsAllowed(context.EgressUrl))
        {
            found = found.Add(PolicyReason.EgressViolation);
        }

        if (context.FsPath is not null && _fsAllowlist is not null && !_fsAllowlist.IsAllowed(context.FsPath))
        {
            found = found.Add(PolicyReason.FsViolation);
        }

        if (_sastEnabled)
        {
            found = found.Add(ScanReason(context.SastStatus, _sastBlockOnChange, _sastFailOnError, PolicyReason.SastPending, PolicyReason.SastFailed));
        }

        if (_dastEnabled)
        {
            found = found.Add(ScanReason(context.DastStatus, _dastBlockOnChange, _dastFailOnError, PolicyReason.DastPending, PolicyReason.DastFailed));
        }

        found = found
            .Add(Flag(context.MissingAuditSignature, PolicyReason.MissingAuditSignature))
            .Add(Flag(context.RegistryMutation, PolicyReason.RegistryMutation))
            .Add(Flag(context.HandlerSwap, PolicyReason.HandlerSwap))
            .Add(Flag(context.ServerCodeChanged, PolicyReason.ServerCodeChanged))
            .Add(Flag(context.ToolCodeChanged, PolicyReason.ToolCodeChanged))
            .Add(Flag(context.SkillVersionChanged, PolicyReason.SkillVersionChanged))
            .Add(Flag(context.SkillCodeChanged, PolicyReason.SkillCodeChanged))
            .Add(Flag(context.SkillScanPending, PolicyReason.SkillScanPending))
            .Add(Flag(context.SkillScanFailed, PolicyReason.SkillScanFailed))
            .Add(Flag(context.AgentGuardFailed, PolicyReason.AgentGuardFailed))
            .Add(Flag(context.ContextualEvaluatorDenied, PolicyReason.ContextualEvaluatorDenied))
            .Add(Flag(context.ContextualEvaluatorEscalated, PolicyReason.ContextualEvaluatorEscalated))
            .Add(Flag(context.CircuitOpen, PolicyReason.CircuitOpen))
            .Add(Flag(context.MalformedInput, PolicyReason.MalformedInput))
            .Add(Flag(context.UninterceptedCall, PolicyReason.UninterceptedCall));
        return found;
    }

    /// <summary>
    /// A version is pinned when it is an exact version: not empty, not <c>latest</c>, and without range or
    /// wildcard characters (<c>* x ^ ~ &gt; &lt; = |</c> or spaces).
    /// </summary>
    public static bool IsPinned(string? version)
    {
        if (string.IsNullOrWhiteSpace(version) || version.Equals("latest", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        foreach (var c in version)
        {
            if (c is '*' or '^' or '~' or '>' or '<' or '=' or '|' or ' ' || (c is 'x' or 'X' && IsRangePart(version, c)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True for an <c>x</c> that stands for a whole version component (<c>1.x</c>, <c>1.2.X</c>).</summary>
    private static bool IsRangePart(string version, char x)
    {
        var index = version.IndexOf(x, StringComparison.Ordinal);
        var before = index == 0 || version[index - 1] == '.';
        var after = index == version.Length - 1 || version[index + 1] == '.';
        return before && after;
    }

    private static PolicyReason ScanReason(ScanStatus status, bool blockOnChange, bool failOnError, PolicyReason pending, PolicyReason failed) => status switch
    {
        ScanStatus.None or ScanStatus.Pending => blockOnChange ? pending : PolicyReason.None,
        ScanStatus.Fail => failed,
        ScanStatus.Error => failOnError ? failed : PolicyReason.None,
        _ => PolicyReason.None,
    };

    private static PolicyReason Flag(bool set, PolicyReason reason) => set ? reason : PolicyReason.None;

    private static (PolicyReasonSet DenyOn, PolicyReasonSet EscalateOn) Masks(IEnumerable<PolicyReason> denyOn, IEnumerable<PolicyReason>? escalateOn, bool approveHighRisk)
    {
        // circuit_open and malformed_input deny by themselves: they never sit in the deny or escalate masks.
        var deny = PolicyReasonSet.Of(denyOn).Remove(PolicyReason.CircuitOpen).Remove(PolicyReason.MalformedInput);
        var escalate = escalateOn is not null ? PolicyReasonSet.Of(escalateOn) : approveHighRisk ? deny : PolicyReasonSet.Empty;
        return (deny, escalate.Remove(PolicyReason.CircuitOpen).Remove(PolicyReason.MalformedInput));
    }

    private DecisionEngine CreateView(HopEnforcementConfig enforcement, string yamlPath)
    {
        var problems = new List<PolicyProblem>();
        var strategy = enforcement.Strategy?.Trim().ToLowerInvariant() switch
        {
            null or "" or "deny_on_match" => EnforcementStrategy.DenyOnMatch,
            "deny_on_any" => EnforcementStrategy.DenyOnAny,
            _ => Invalid(problems, yamlPath + ".strategy", $"\"{enforcement.Strategy}\" is not a strategy; expected deny_on_match or deny_on_any"),
        };

        var deny = enforcement.DenyOn is null ? null : ParseReasons(enforcement.DenyOn, yamlPath + ".deny_on", problems);
        var escalate = enforcement.EscalateOn is null ? null : ParseReasons(enforcement.EscalateOn, yamlPath + ".escalate_on", problems);
        if (problems.Count > 0)
        {
            throw new Sec0PolicyException(yamlPath, problems);
        }

        // enabled: false (Sec0's TypeScript spelling) turns enforcement off for the hop: decided and recorded, never blocked.
        var mode = enforcement.Enabled ? enforcement.Mode : EnforcementMode.Observe;
        if (deny is null)
        {
            // No deny_on in the hop block: the policy's deny_on, and its escalate_on unless the hop gives one (as in the TS SDK).
            var escalateOnly = escalate is null ? _escalateOn : Masks([], escalate, approveHighRisk: false).EscalateOn;
            return new DecisionEngine(this, mode, strategy, _denyOn, escalateOnly);
        }

        // A hop block has no approve_high_risk of its own: the policy's decides whether deny_on escalates.
        var (denyMask, escalateMask) = Masks(deny, escalate, Policy.Security.SideEffects.ApproveHighRisk);
        return new DecisionEngine(this, mode, strategy, denyMask, escalateMask);
    }

    private static EnforcementStrategy Invalid(List<PolicyProblem> problems, string path, string message)
    {
        problems.Add(new PolicyProblem(path, 0, 0, message));
        return EnforcementStrategy.DenyOnMatch;
    }

    private static List<PolicyReason> ParseReasons(IReadOnlyList<string> names, string path, List<PolicyProblem> problems)
    {
        var reasons = new List<PolicyReason>(names.Count);
        for (var index = 0; index < names.Count; index++)
        {
            if (PolicyReasons.TryParse(names[index]?.Trim(), out var reason))
            {
                reasons.Add(reason);
            }
            else
            {
                problems.Add(new PolicyProblem($"{path}[{index}]", 0, 0, PolicyModelBuilder.UnknownReasonMessage(names[index] ?? string.Empty)));
            }
        }

        return reasons;
    }
}

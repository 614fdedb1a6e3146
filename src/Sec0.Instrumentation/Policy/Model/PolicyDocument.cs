namespace Sec0.Policy;

/// <summary>
/// A loaded, validated policy file (see docs/policy.md). Build a <see cref="DecisionEngine"/> from it once
/// with <see cref="DecisionEngine.Create"/>.
/// </summary>
public sealed record PolicyDocument
{
    /// <summary>The default <see cref="DefaultRetention"/>.</summary>
    public const string DefaultRetentionText = "30d";

    /// <summary><c>tenant</c> (required).</summary>
    public required string Tenant { get; init; }

    /// <summary><c>default_retention</c> (default <c>30d</c>): how long audit records are kept, as <c>&lt;days&gt;d</c>.</summary>
    public string DefaultRetention { get; init; } = DefaultRetentionText;

    /// <summary>
    /// <c>policy.retention</c> in audit envelopes: <see cref="DefaultRetention"/> when the policy file sets
    /// <c>default_retention</c>; null otherwise, and envelopes say <c>standard</c> as Sec0's TypeScript SDK does.
    /// </summary>
    internal string? AuditRetention { get; init; }

    /// <summary><see cref="DefaultRetention"/> in days.</summary>
    public int DefaultRetentionDays { get; init; } = 30;

    /// <summary><c>signing</c>.</summary>
    public SigningPolicy Signing { get; init; } = SigningPolicy.Default;

    /// <summary><c>tools</c>.</summary>
    public ToolsPolicy Tools { get; init; } = ToolsPolicy.Default;

    /// <summary><c>enforcement</c>.</summary>
    public EnforcementPolicy Enforcement { get; init; } = EnforcementPolicy.Default;

    /// <summary><c>security</c>.</summary>
    public SecurityPolicy Security { get; init; } = SecurityPolicy.Default;

    /// <summary><c>sast</c>.</summary>
    public SastPolicyOptions Sast { get; init; } = SastPolicyOptions.Default;

    /// <summary><c>dast</c>.</summary>
    public DastPolicyOptions Dast { get; init; } = DastPolicyOptions.Default;

    /// <summary>
    /// Keys of Sec0's TypeScript policy schema that were present and accepted but are not enforced by this
    /// SDK (e.g. <c>observability</c>), as YAML paths.
    /// </summary>
    public IReadOnlyList<string> IgnoredKeys { get; init; } = [];

    /// <summary>Where the policy came from (a file path or the name given to <see cref="PolicyLoader.Parse"/>).</summary>
    public string SourceName { get; init; } = string.Empty;
}

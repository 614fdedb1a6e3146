namespace Sec0.Policy;

/// <summary>The policy's <c>security</c> block. Every check it holds is off when its key is absent.</summary>
public sealed record SecurityPolicy
{
    /// <summary>No checks.</summary>
    public static SecurityPolicy Default { get; } = new();

    /// <summary>
    /// <c>allow_versions</c>: for a tool pattern (<c>mcp://server/tool</c>, no version), the exact versions allowed.
    /// A call to a matching tool at another version is <c>tool_not_in_allowlist</c>.
    /// </summary>
    public IReadOnlyDictionary<ToolRefPattern, IReadOnlyList<string>> AllowVersions { get; init; } = new Dictionary<ToolRefPattern, IReadOnlyList<string>>();

    /// <summary>
    /// <c>allow_versions</c> keyed by a bare server name (<c>demo-server: ["1.0", "1.1"]</c>), the shape Sec0's TypeScript
    /// gateway reads: every tool of that server must be called at one of the listed versions, and with its meaning there a
    /// call at another version (or none) is <c>version_unpinned</c>.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> AllowVersionsByServer { get; init; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);

    /// <summary><c>egress_allowlist</c>, null when absent (egress is not checked).</summary>
    public EgressAllowlist? EgressAllowlist { get; init; }

    /// <summary><c>fs_allowlist</c>, null when absent (file paths are not checked).</summary>
    public FsAllowlist? FsAllowlist { get; init; }

    /// <summary><c>limits</c>.</summary>
    public PayloadLimits Limits { get; init; } = PayloadLimits.None;

    /// <summary><c>side_effects</c>.</summary>
    public SideEffectsPolicy SideEffects { get; init; } = SideEffectsPolicy.Default;
}

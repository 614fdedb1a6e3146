namespace Sec0.Policy;

/// <summary>The policy's <c>tools</c> block.</summary>
public sealed record ToolsPolicy
{
    /// <summary>No allowlist (tools are not checked) and unpinned versions allowed.</summary>
    public static ToolsPolicy Default { get; } = new();

    /// <summary>
    /// <c>allowlist</c>: the tools a call may use. Null when the key is absent (tools are not checked);
    /// an empty allowlist allows no tool.
    /// </summary>
    public ToolAllowlist? Allowlist { get; init; }

    /// <summary><c>deny_if_unpinned_version</c> (default false): a tool ref without an exact version is a <c>version_unpinned</c> violation.</summary>
    public bool DenyIfUnpinnedVersion { get; init; }
}

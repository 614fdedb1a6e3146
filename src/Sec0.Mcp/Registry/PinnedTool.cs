using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Sec0.Mcp;

/// <summary>A tool as it was when the registry was frozen: the instance, its definition hashes and what Sec0 derives from it.</summary>
internal sealed class PinnedTool
{
    private readonly byte[] _pinnedJson;
    private readonly ToolDefinitionSnapshot _snapshot;

    public PinnedTool(McpServerTool tool, string? bodyHash, string server, string version)
    {
        Tool = tool;
        Name = tool.ProtocolTool.Name;
        ToolRef = Sec0McpRuntime.ToolRef(server, Name, version);
        BreakerKey = Sec0McpRuntime.BreakerKey(server, Name);
        ScanSubject = new McpToolScanSubject(server, Name, bodyHash);
        _pinnedJson = ToolDefinitionHasher.Serialize(tool.ProtocolTool);
        _snapshot = new ToolDefinitionSnapshot(tool.ProtocolTool);
        DefinitionHash = ToolDefinitionHasher.Hash(tool.ProtocolTool);
        ListedDefinitionHash = ToolDefinitionHasher.HashWithoutOutputSchema(tool.ProtocolTool);
        BodyHash = bodyHash;
        var annotations = tool.ProtocolTool.Annotations;
        IsSideEffect = SideEffectRule.IsSideEffect(annotations);
        RequiresIdempotencyKey = SideEffectRule.RequiresIdempotencyKey(annotations);
    }

    /// <summary>The registered instance; a call must reach exactly this one.</summary>
    public McpServerTool Tool { get; }

    /// <summary>The tool name.</summary>
    public string Name { get; }

    /// <summary><c>mcp://server/tool@version</c>, built once.</summary>
    public string ToolRef { get; }

    /// <summary>The circuit breaker key, built once.</summary>
    public string BreakerKey { get; }

    /// <summary>What SAST/DAST verdict callbacks get for this tool, built once.</summary>
    public McpToolScanSubject ScanSubject { get; }

    /// <summary>The hash of <see cref="McpServerTool.ProtocolTool"/> at freeze.</summary>
    public string DefinitionHash { get; }

    /// <summary>The hash of the definition without <c>outputSchema</c>, for comparing listed (possibly reshaped) definitions.</summary>
    public string ListedDefinitionHash { get; }

    /// <summary>The compile-time body hash from the hop manifest, when the tool's assembly has one.</summary>
    public string? BodyHash { get; }

    /// <summary>True when the annotations say the tool changes something (see <see cref="SideEffectRule"/>).</summary>
    public bool IsSideEffect { get; }

    /// <summary>True when a call must carry an idempotency key (see <see cref="SideEffectRule"/>).</summary>
    public bool RequiresIdempotencyKey { get; }

    /// <summary>True while the tool's current definition still hashes to <see cref="DefinitionHash"/>.</summary>
    /// <remarks>
    /// Checked on every call, so the common case is cheap: a field-by-field comparison with the values at freeze
    /// (<see cref="ToolDefinitionSnapshot"/>); when that cannot vouch for the definition, the SDK's serialization
    /// of it is compared with the pinned bytes, and only different bytes (a real change, or a harmless
    /// reordering) pay for canonical JSON and SHA-256.
    /// </remarks>
    public bool DefinitionUnchanged(Tool current) =>
        _snapshot.CertainlyUnchanged(current)
        || ToolDefinitionHasher.SerializesTo(current, _pinnedJson)
        || string.Equals(ToolDefinitionHasher.Hash(current), DefinitionHash, StringComparison.Ordinal);
}

using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json.Nodes;
using ModelContextProtocol.Server;
using Sec0.Audit;

namespace Sec0.Mcp;

/// <summary>
/// The MCP server's tool collection under Sec0: a <see cref="McpServerPrimitiveCollection{T}"/> that is frozen
/// when the server is built. From then on <see cref="TryAdd"/>, <see cref="McpServerPrimitiveCollection{T}.Add"/>,
/// <see cref="Remove"/> and <see cref="Clear"/> throw <see cref="Sec0RegistryFrozenException"/> and the attempt
/// is audited; every tool is pinned (instance and definition hash) for handler-swap and rug-pull detection.
/// </summary>
public sealed class Sec0FreezableToolCollection : McpServerPrimitiveCollection<McpServerTool>
{
    private readonly Action<string, string?>? _onFrozenMutation;
    private FrozenDictionary<string, PinnedTool> _pins = FrozenDictionary<string, PinnedTool>.Empty;
    private volatile bool _frozen;

    /// <summary>Creates an empty, unfrozen collection.</summary>
    public Sec0FreezableToolCollection()
        : this(null)
    {
    }

    /// <summary>Creates an empty, unfrozen collection that reports mutation attempts after freeze to <paramref name="onFrozenMutation"/>.</summary>
    /// <param name="onFrozenMutation">Receives the operation (<c>add</c>, <c>remove</c>, <c>clear</c>) and the tool name; Sec0 audits it.</param>
    internal Sec0FreezableToolCollection(Action<string, string?>? onFrozenMutation)
        : base(StringComparer.Ordinal)
    {
        _onFrozenMutation = onFrozenMutation;
    }

    /// <summary>True once the server was built: the set of tools can no longer change.</summary>
    public bool IsFrozen => _frozen;

    /// <summary>The MCP server name the registry was frozen for (<c>ServerInfo.Name</c>).</summary>
    public string ServerName { get; private set; } = string.Empty;

    /// <summary>The MCP server version the registry was frozen for (<c>ServerInfo.Version</c>).</summary>
    public string ServerVersion { get; private set; } = string.Empty;

    /// <summary><c>&lt;name&gt;@&lt;version&gt;</c>, the envelopes' <c>target_server</c> (built once, not per call).</summary>
    internal string TargetServer { get; private set; } = string.Empty;

    internal FrozenDictionary<string, PinnedTool> Pins => _pins;

    /// <summary>
    /// The envelope's <c>server_snapshot</c>: the SHA-256 hex over the pinned tools' names and definition hashes.
    /// Built once at freeze and never changed afterwards, so every envelope shares it (the writer only reads it).
    /// </summary>
    internal JsonNode? Snapshot { get; private set; }

    /// <summary>The canonical bytes of <see cref="Snapshot"/>, made once at freeze (the snapshot never changes after).</summary>
    internal byte[]? SnapshotCanonical { get; private set; }

    /// <inheritdoc/>
    public override bool TryAdd(McpServerTool primitive)
    {
        ArgumentNullException.ThrowIfNull(primitive);
        ThrowIfFrozen("add", primitive.ProtocolTool.Name);
        return base.TryAdd(primitive);
    }

    /// <inheritdoc/>
    public override bool Remove(McpServerTool primitive)
    {
        ArgumentNullException.ThrowIfNull(primitive);
        ThrowIfFrozen("remove", primitive.ProtocolTool.Name);
        return base.Remove(primitive);
    }

    /// <inheritdoc/>
    public override void Clear()
    {
        ThrowIfFrozen("clear", null);
        base.Clear();
    }

    /// <summary>Freezes the registry and pins every tool. Idempotent.</summary>
    /// <param name="serverName">The MCP server name.</param>
    /// <param name="serverVersion">The MCP server version.</param>
    /// <param name="bodyHashOf">The compile-time body hash of a tool, by name; null when unknown.</param>
    internal void Freeze(string serverName, string serverVersion, Func<string, string?> bodyHashOf)
    {
        if (_frozen)
        {
            return;
        }

        ServerName = serverName;
        ServerVersion = serverVersion;
        TargetServer = serverName + "@" + serverVersion;
        _pins = this.ToFrozenDictionary(tool => tool.ProtocolTool.Name, tool => new PinnedTool(tool, bodyHashOf(tool.ProtocolTool.Name), serverName, serverVersion), StringComparer.Ordinal);
        var registryHash = Sha256Hex.Of(Encoding.UTF8.GetBytes(string.Join('\n', _pins.Values.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => p.Name + " " + p.DefinitionHash))));
        // A string, as Sec0's TypeScript SDK writes server_snapshot: name and version are in target_server.
        Snapshot = JsonValue.Create(registryHash);
        SnapshotCanonical = JsonCanonicalizer.Canonicalize(Encoding.UTF8.GetBytes(Snapshot.ToJsonString()));
        _frozen = true;
    }

    internal bool TryGetPin(string? name, [NotNullWhen(true)] out PinnedTool? pin)
    {
        if (name is null)
        {
            pin = null;
            return false;
        }

        return _pins.TryGetValue(name, out pin);
    }

    private void ThrowIfFrozen(string operation, string? toolName)
    {
        if (!_frozen)
        {
            return;
        }

        // Audit first: the exception may be swallowed by whoever tried, the record may not.
        _onFrozenMutation?.Invoke(operation, toolName);
        throw new Sec0RegistryFrozenException(operation, toolName);
    }
}

// This file is also compiled into the Sec0 analyzers (netstandard2.0): keep it to plain C# and netstandard2.0 APIs.
using System;
using System.Collections.Generic;
using YamlDotNet.RepresentationModel;

namespace Sec0.Config.Yaml;

/// <summary>
/// A YAML mapping with its merge keys (<c>&lt;&lt;</c>) applied: the entries in document order, own keys
/// first, then keys brought in by merges that the mapping does not set itself.
/// </summary>
internal sealed class ConfigMapping
{
    private readonly Dictionary<string, ConfigEntry> _byKey;

    public ConfigMapping(YamlMappingNode node, IReadOnlyList<ConfigEntry> entries, IReadOnlyList<YamlNode> nonScalarKeys)
    {
        Node = node;
        Entries = entries;
        NonScalarKeys = nonScalarKeys;
        _byKey = new Dictionary<string, ConfigEntry>(entries.Count, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            _byKey[entry.Key] = entry;
        }
    }

    /// <summary>The mapping node itself.</summary>
    public YamlMappingNode Node { get; }

    /// <summary>The entries with scalar keys.</summary>
    public IReadOnlyList<ConfigEntry> Entries { get; }

    /// <summary>Keys that are mappings or sequences (ignored, except where keys must be names).</summary>
    public IReadOnlyList<YamlNode> NonScalarKeys { get; }

    /// <summary>Finds an entry by its exact key.</summary>
    public bool TryGet(string key, out ConfigEntry entry) => _byKey.TryGetValue(key, out entry);
}

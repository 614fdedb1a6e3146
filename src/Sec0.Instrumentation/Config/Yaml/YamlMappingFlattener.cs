// This file is also compiled into the Sec0 analyzers (netstandard2.0), so the build expands merge keys exactly as
// the runtime loader does, with the same limits: keep it to plain C# and netstandard2.0 APIs.
using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Sec0.Config.Yaml;

/// <summary>
/// Applies YAML merge keys (<c>&lt;&lt;</c>): a mapping's own keys first and winning, then each merged mapping's in
/// order, earlier merges over later ones. Each mapping is flattened once per load and the result reused, so a chain
/// whose levels each merge the one below twice costs one pass per level, not 2^levels; chains longer than
/// <see cref="YamlLimits.MaxMergeDepth"/> and cycles (a mapping merging itself through an alias) are rejected.
/// One instance serves one load.
/// </summary>
internal sealed class YamlMappingFlattener
{
    /// <summary>The detail of the error for a cyclic or too deep chain of merges.</summary>
    public const string CyclicOrTooDeep = "has merge keys (<<) that are cyclic or nested too deeply";

    private readonly Func<string, string, YamlNode, Exception> _error;
    private readonly Dictionary<YamlMappingNode, ConfigMapping> _flattened = new(ByReference.Instance);
    private readonly HashSet<YamlMappingNode> _inProgress = new(ByReference.Instance);

    /// <param name="error">
    /// Makes the exception to throw for a mapping that cannot be flattened, from the YAML path being read
    /// (<c>app.hops.A.Run</c>), the detail after it (<see cref="CyclicOrTooDeep"/>, <c>is defined twice</c>, ...) and the node.
    /// </param>
    public YamlMappingFlattener(Func<string, string, YamlNode, Exception> error)
    {
        _error = error;
    }

    /// <summary>The entries of <paramref name="node"/> with its merge keys applied.</summary>
    /// <param name="node">The mapping.</param>
    /// <param name="yamlPath">Where the mapping is read from, for errors.</param>
    public ConfigMapping Flatten(YamlMappingNode node, string yamlPath) => Flatten(node, yamlPath, 0);

    private ConfigMapping Flatten(YamlMappingNode node, string yamlPath, int mergeDepth)
    {
        if (_flattened.TryGetValue(node, out var cached))
        {
            return cached;
        }

        // A mapping can merge itself through an alias; stop instead of recursing forever.
        if (mergeDepth > YamlLimits.MaxMergeDepth || !_inProgress.Add(node))
        {
            throw _error(yamlPath, CyclicOrTooDeep, node);
        }

        RuntimeHelpers.EnsureSufficientExecutionStack();
        var entries = new List<ConfigEntry>(node.Children.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var nonScalarKeys = new List<YamlNode>();
        List<YamlNode>? merges = null;

        foreach (var child in node.Children)
        {
            if (child.Key is not YamlScalarNode scalarKey)
            {
                nonScalarKeys.Add(child.Key);
                continue;
            }

            var key = scalarKey.Value ?? string.Empty;
            if (key == "<<" && scalarKey.Style is ScalarStyle.Plain or ScalarStyle.Any)
            {
                (merges ??= new List<YamlNode>()).Add(child.Value);
                continue;
            }

            if (!seen.Add(key))
            {
                throw _error(Join(yamlPath, key), "is defined twice", child.Key);
            }

            entries.Add(new ConfigEntry(key, child.Key, child.Value));
        }

        if (merges is not null)
        {
            foreach (var merge in merges)
            {
                foreach (var source in Sources(merge, yamlPath))
                {
                    foreach (var merged in Flatten(source, yamlPath, mergeDepth + 1).Entries)
                    {
                        if (seen.Add(merged.Key))
                        {
                            entries.Add(merged);
                        }
                    }
                }
            }
        }

        _inProgress.Remove(node);
        var result = new ConfigMapping(node, entries, nonScalarKeys);
        _flattened[node] = result;
        return result;
    }

    /// <summary>The mappings a <c>&lt;&lt;</c> value merges: one mapping, or a list of mappings.</summary>
    private IReadOnlyList<YamlMappingNode> Sources(YamlNode merge, string yamlPath)
    {
        if (merge is YamlMappingNode single)
        {
            return new[] { single };
        }

        if (merge is YamlSequenceNode list)
        {
            var sources = new List<YamlMappingNode>(list.Children.Count);
            foreach (var item in list.Children)
            {
                if (item is not YamlMappingNode mapping)
                {
                    break;
                }

                sources.Add(mapping);
            }

            if (sources.Count == list.Children.Count)
            {
                return sources;
            }
        }

        throw _error(Join(yamlPath, "<<"), "must be a mapping or a list of mappings", merge);
    }

    /// <summary>Joins YAML path segments for messages (<c>app.hops.Key.type</c>).</summary>
    public static string Join(string parentPath, string key) => parentPath.Length == 0 ? key : parentPath + "." + key;

    /// <summary>Nodes compare by identity: YamlNode's own equality walks whole subtrees.</summary>
    private sealed class ByReference : IEqualityComparer<YamlMappingNode>
    {
        public static readonly ByReference Instance = new();

        public bool Equals(YamlMappingNode? x, YamlMappingNode? y) => ReferenceEquals(x, y);

        public int GetHashCode(YamlMappingNode obj) => RuntimeHelpers.GetHashCode(obj);
    }
}

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

    private readonly Action<string, string, YamlNode> _report;
    private readonly Dictionary<YamlMappingNode, ConfigMapping> _flattened = new(ByReference.Instance);
    private readonly HashSet<YamlMappingNode> _inProgress = new(ByReference.Instance);

    /// <summary>A flattener that throws for a mapping that cannot be flattened.</summary>
    /// <param name="error">
    /// Makes the exception to throw for a mapping that cannot be flattened, from the YAML path being read
    /// (<c>app.hops.A.Run</c>), the detail after it (<see cref="CyclicOrTooDeep"/>, <c>is defined twice</c>, ...) and the node.
    /// </param>
    public YamlMappingFlattener(Func<string, string, YamlNode, Exception> error)
        : this(Throwing(error))
    {
    }

    private YamlMappingFlattener(Action<string, string, YamlNode> report)
    {
        _report = report;
    }

    /// <summary>
    /// A flattener that tells <paramref name="report"/> why a mapping cannot be flattened (the same path, detail and
    /// node as the exception factory gets); <see cref="FlattenOrNull"/> then returns null, unless <paramref name="report"/> throws.
    /// </summary>
    public static YamlMappingFlattener Reporting(Action<string, string, YamlNode> report) => new YamlMappingFlattener(report);

    /// <summary>The entries of <paramref name="node"/> with its merge keys applied, from a flattener that throws for a problem.</summary>
    /// <param name="node">The mapping.</param>
    /// <param name="yamlPath">Where the mapping is read from, for errors.</param>
    public ConfigMapping Flatten(YamlMappingNode node, string yamlPath) =>
        FlattenOrNull(node, yamlPath) ?? throw new InvalidOperationException("The problem was reported, not thrown: a reporting flattener is read with FlattenOrNull.");

    /// <summary>The entries of <paramref name="node"/> with its merge keys applied; null when they cannot be applied and the problem was reported.</summary>
    /// <param name="node">The mapping.</param>
    /// <param name="yamlPath">Where the mapping is read from, for errors.</param>
    public ConfigMapping? FlattenOrNull(YamlMappingNode node, string yamlPath) => Flatten(node, yamlPath, 0);

    // After a problem the mappings being flattened stay in _inProgress (as when the report throws), so a later
    // read of one of them through an alias is reported as cyclic; the load is rejected either way.
    private ConfigMapping? Flatten(YamlMappingNode node, string yamlPath, int mergeDepth)
    {
        if (_flattened.TryGetValue(node, out var cached))
        {
            return cached;
        }

        // A mapping can merge itself through an alias; stop instead of recursing forever.
        if (mergeDepth > YamlLimits.MaxMergeDepth || !_inProgress.Add(node))
        {
            _report(yamlPath, CyclicOrTooDeep, node);
            return null;
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
                _report(Join(yamlPath, key), "is defined twice", child.Key);
                return null;
            }

            entries.Add(new ConfigEntry(key, child.Key, child.Value));
        }

        if (merges is not null)
        {
            foreach (var merge in merges)
            {
                var sources = Sources(merge, yamlPath);
                if (sources is null)
                {
                    return null;
                }

                foreach (var source in sources)
                {
                    var flattened = Flatten(source, yamlPath, mergeDepth + 1);
                    if (flattened is null)
                    {
                        return null;
                    }

                    foreach (var merged in flattened.Entries)
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

    private static Action<string, string, YamlNode> Throwing(Func<string, string, YamlNode, Exception> error) =>
        (yamlPath, detail, node) => throw error(yamlPath, detail, node);

    /// <summary>The mappings a <c>&lt;&lt;</c> value merges: one mapping, or a list of mappings; null when it is neither (reported).</summary>
    private IReadOnlyList<YamlMappingNode>? Sources(YamlNode merge, string yamlPath)
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

        _report(Join(yamlPath, "<<"), "must be a mapping or a list of mappings", merge);
        return null;
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

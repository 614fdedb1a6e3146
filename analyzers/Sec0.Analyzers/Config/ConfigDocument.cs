using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using YamlDotNet.RepresentationModel;

namespace Sec0.Analyzers.Config;

/// <summary>
/// sec0.config.yaml parsed once per compilation: the hop entries with their positions, and the problems
/// the file has by itself. Nodes are kept for the code fixes, which edit the text around them.
/// </summary>
internal sealed class ConfigDocument
{
    private readonly Dictionary<string, ConfigHopEntry> _hopsByKey;

    public ConfigDocument(
        string path,
        SourceText text,
        bool isValidYaml,
        IReadOnlyList<ConfigHopEntry> hops,
        IReadOnlyList<ConfigProblem> problems,
        YamlMappingNode? root,
        YamlMappingNode? app)
    {
        Path = path;
        Text = text;
        IsValidYaml = isValidYaml;
        Hops = hops;
        Problems = problems;
        Root = root;
        App = app;
        _hopsByKey = new Dictionary<string, ConfigHopEntry>(StringComparer.Ordinal);
        foreach (var hop in hops)
        {
            // YAML forbids duplicate keys; with merges the mapping's own key wins, and it comes first.
            if (!_hopsByKey.ContainsKey(hop.Key))
            {
                _hopsByKey.Add(hop.Key, hop);
            }
        }
    }

    public string Path { get; }

    public SourceText Text { get; }

    /// <summary>False when the text does not parse; then nothing but SEC0007 is reported for it.</summary>
    public bool IsValidYaml { get; }

    public IReadOnlyList<ConfigHopEntry> Hops { get; }

    public IReadOnlyList<ConfigProblem> Problems { get; }

    public YamlMappingNode? Root { get; }

    public YamlMappingNode? App { get; }

    public ConfigHopEntry? FindHop(string key) => _hopsByKey.TryGetValue(key, out var hop) ? hop : null;

    public Location CreateLocation(TextSpan span, LinePositionSpan lineSpan) => Location.Create(Path, span, lineSpan);
}

using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Sec0.Config.Yaml;

/// <summary>
/// Reads typed values out of a loaded YAML tree. A value of the wrong shape is reported one of two ways, chosen
/// by the caller: without a problem list it is thrown at once as
/// <c>[sec0] Invalid config file: &lt;path&gt; (&lt;yaml path&gt; ..., line L, column C)</c> (the config loader
/// stops at the first problem); with one it is added to the list and the read returns null, as for an absent
/// value, so the caller goes on (the policy loader reports every problem at once).
/// One instance serves one load: it caches mappings with their merge keys applied (<see cref="YamlMappingFlattener"/>).
/// </summary>
/// <param name="filePath">The absolute path (or name) of the file being read, for error messages.</param>
/// <param name="problems">Where problems go when the caller collects them; null to throw the first one.</param>
internal sealed class YamlConfigReader(string filePath, ICollection<YamlProblem>? problems = null)
{
    // Merge keys are applied by the implementation the analyzers share; it reports through Report.
    private YamlMappingFlattener? _flattener;

    /// <summary>The absolute path of the file being read, for error messages.</summary>
    public string FilePath { get; } = filePath;

    public static int Line(YamlNode node) => ToInt(node.Start.Line);

    public static int Column(YamlNode node) => ToInt(node.Start.Column);

    public static int ToInt(long value) => value > int.MaxValue ? int.MaxValue : value < 0 ? 0 : (int)value;

    /// <summary>True for a missing node and for the plain YAML null forms (empty, <c>~</c>, <c>null</c>).</summary>
    public static bool IsNull(YamlNode? node) =>
        node is null
        || node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    /// <summary>An error about the value at <paramref name="node"/>, which has the wrong shape or value.</summary>
    public Sec0ConfigException ShapeError(string detail, YamlNode? node) =>
        node is null
            ? ConfigErrors.Invalid(FilePath, detail)
            : ConfigErrors.Invalid(FilePath, detail, Line(node), Column(node));

    /// <summary>An error about the value at <paramref name="yamlPath"/>, in the config loader's <c>&lt;yaml path&gt; &lt;detail&gt;</c> text, for callers that stop at the first problem.</summary>
    public Sec0ConfigException Error(string yamlPath, string detail, YamlNode? node) => ShapeError($"{yamlPath} {detail}", node);

    /// <summary>Reads a mapping; null when absent or null; a problem when it is anything else.</summary>
    public ConfigMapping? ReadMapping(YamlNode? node, string yamlPath)
    {
        if (IsNull(node))
        {
            return null;
        }

        if (node is not YamlMappingNode mapping)
        {
            Report(yamlPath, "must be a mapping", node);
            return null;
        }

        return (_flattener ??= YamlMappingFlattener.Reporting(Report)).FlattenOrNull(mapping, yamlPath);
    }

    /// <summary>The value node of <paramref name="key"/>, or null when the mapping is absent or lacks the key.</summary>
    public static YamlNode? Get(ConfigMapping? mapping, string key) =>
        mapping is not null && mapping.TryGet(key, out var entry) ? entry.Value : null;

    /// <summary>Reads a mapping below <paramref name="parent"/>.</summary>
    public ConfigMapping? ReadMapping(ConfigMapping? parent, string key, string parentPath) =>
        ReadMapping(Get(parent, key), Join(parentPath, key));

    /// <summary>Reads a scalar as trimmed text; null when absent, null or blank; a problem for a mapping or list.</summary>
    public string? ReadString(ConfigMapping? parent, string key, string parentPath)
    {
        var node = Get(parent, key);
        if (IsNull(node))
        {
            return null;
        }

        if (node is not YamlScalarNode scalar)
        {
            Report(Join(parentPath, key), "must be a string", node);
            return null;
        }

        var value = scalar.Value?.Trim();
        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>Reads an integer that must be at least <paramref name="minimum"/>; null when absent.</summary>
    public int? ReadInt(ConfigMapping? parent, string key, string parentPath, int minimum)
    {
        var node = Get(parent, key);
        if (IsNull(node))
        {
            return null;
        }

        var path = Join(parentPath, key);
        if (node is not YamlScalarNode scalar
            || !int.TryParse(scalar.Value?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            || value < minimum)
        {
            Report(path, $"must be an integer >= {minimum.ToString(CultureInfo.InvariantCulture)}", node);
            return null;
        }

        return value;
    }

    /// <summary>Reads a list of strings; null when absent or null; a problem for anything else.</summary>
    public IReadOnlyList<string>? ReadStringList(ConfigMapping? parent, string key, string parentPath)
    {
        var items = ReadStringItems(parent, key, parentPath);
        if (items is null)
        {
            return null;
        }

        var values = new string[items.Count];
        for (var index = 0; index < values.Length; index++)
        {
            values[index] = items[index].Value;
        }

        return Array.AsReadOnly(values);
    }

    /// <summary>
    /// Reads a list of strings with each item's node, for callers that check items one by one and report
    /// a bad one at its own line; null when absent or null; a problem for anything else.
    /// </summary>
    public IReadOnlyList<(string Value, YamlNode Node)>? ReadStringItems(ConfigMapping? parent, string key, string parentPath)
    {
        var node = Get(parent, key);
        if (IsNull(node))
        {
            return null;
        }

        var path = Join(parentPath, key);
        if (node is not YamlSequenceNode sequence)
        {
            Report(path, "must be a list of strings", node);
            return null;
        }

        var items = new List<(string, YamlNode)>(sequence.Children.Count);
        foreach (var item in sequence.Children)
        {
            var text = (item as YamlScalarNode)?.Value?.Trim();
            if (IsNull(item) || string.IsNullOrEmpty(text))
            {
                Report(path, "must be a list of strings", item);
                return null;
            }

            items.Add((text, item));
        }

        return items.AsReadOnly();
    }

    /// <summary>Reads <c>true</c> or <c>false</c> (any letter case); null when absent; a problem for anything else.</summary>
    public bool? ReadBool(ConfigMapping? parent, string key, string parentPath)
    {
        var node = Get(parent, key);
        if (IsNull(node))
        {
            return null;
        }

        if (node is YamlScalarNode scalar && bool.TryParse(scalar.Value?.Trim(), out var value))
        {
            return value;
        }

        Report(Join(parentPath, key), "must be true or false", node);
        return null;
    }

    /// <summary>Reads a finite number in [<paramref name="minimum"/>, <paramref name="maximum"/>]; null when absent.</summary>
    public double? ReadNumber(ConfigMapping? parent, string key, string parentPath, double minimum, double maximum)
    {
        var node = Get(parent, key);
        if (IsNull(node))
        {
            return null;
        }

        if (node is YamlScalarNode scalar
            && double.TryParse(scalar.Value?.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            && double.IsFinite(value)
            && value >= minimum
            && value <= maximum)
        {
            return value;
        }

        var range = double.IsPositiveInfinity(maximum)
            ? $">= {minimum.ToString(CultureInfo.InvariantCulture)}"
            : $"between {minimum.ToString(CultureInfo.InvariantCulture)} and {maximum.ToString(CultureInfo.InvariantCulture)}";
        Report(Join(parentPath, key), $"must be a number {range}", node);
        return null;
    }

    /// <summary>Throws the problem at once, or adds it to the caller's list; a read that reports returns null.</summary>
    private void Report(string yamlPath, string detail, YamlNode? node)
    {
        if (problems is null)
        {
            throw Error(yamlPath, detail, node);
        }

        problems.Add(new YamlProblem(yamlPath, detail, node));
    }

    /// <summary>Joins YAML path segments for messages (<c>app.hops.Key.type</c>).</summary>
    public static string Join(string parentPath, string key) => YamlMappingFlattener.Join(parentPath, key);
}

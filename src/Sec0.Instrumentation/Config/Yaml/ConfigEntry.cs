// This file is also compiled into the Sec0 analyzers (netstandard2.0): keep it to plain C# and netstandard2.0 APIs.
using YamlDotNet.RepresentationModel;

namespace Sec0.Config.Yaml;

/// <summary>One scalar-keyed entry of a YAML mapping, with its key node kept for error positions.</summary>
internal readonly struct ConfigEntry
{
    public ConfigEntry(string key, YamlNode keyNode, YamlNode value)
    {
        Key = key;
        KeyNode = keyNode;
        Value = value;
    }

    /// <summary>The key's text.</summary>
    public string Key { get; }

    /// <summary>The key's node (a scalar), for positions.</summary>
    public YamlNode KeyNode { get; }

    /// <summary>The value's node.</summary>
    public YamlNode Value { get; }
}

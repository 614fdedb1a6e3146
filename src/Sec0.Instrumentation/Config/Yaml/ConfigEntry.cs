using YamlDotNet.RepresentationModel;

namespace Sec0.Config.Yaml;

/// <summary>One scalar-keyed entry of a YAML mapping, with its key node kept for error positions.</summary>
internal readonly record struct ConfigEntry(string Key, YamlNode KeyNode, YamlNode Value);

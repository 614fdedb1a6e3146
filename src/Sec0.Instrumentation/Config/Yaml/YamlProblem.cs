using YamlDotNet.RepresentationModel;

namespace Sec0.Config.Yaml;

/// <summary>
/// A value of the wrong shape or meaning, kept in the problem list of a load that reports every problem at
/// once (the policy loader) instead of stopping at the first (the config loader).
/// </summary>
/// <param name="Path">The YAML path, e.g. <c>enforcement.deny_on[0]</c>; empty for the whole file.</param>
/// <param name="Detail">What is wrong, without the path: <c>must be a string</c>.</param>
/// <param name="Node">Where it is in the file, or null when it has no place there.</param>
internal readonly record struct YamlProblem(string Path, string Detail, YamlNode? Node);

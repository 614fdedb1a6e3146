// This file is also compiled into the Sec0 analyzers (netstandard2.0), so the build applies the runtime loader's
// limits: keep it to plain C# and netstandard2.0 APIs.
namespace Sec0.Config.Yaml;

/// <summary>The limits sec0.config.yaml is read with, at run time and in the build alike.</summary>
internal static class YamlLimits
{
    /// <summary>YAML nested deeper than this is rejected (the config itself needs five levels).</summary>
    public const int MaxNestingDepth = 64;

    /// <summary>Merges may chain (a merged mapping merging another); a chain longer than this is rejected.</summary>
    public const int MaxMergeDepth = 32;
}

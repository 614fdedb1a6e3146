using System;
using Microsoft.CodeAnalysis;

namespace Sec0.Generators.Caching;

/// <summary>
/// The build's switch for reusing models between generator runs: the MSBuild property
/// <c>Sec0GeneratorCache=false</c> becomes the compiler feature <c>Sec0GeneratorCache=false</c>
/// (buildTransitive/Sec0.Instrumentation.targets), and then every model is computed afresh on every run
/// and no declaration surface is computed. The output is the same either way; off is slower in the IDE.
/// </summary>
/// <remarks>
/// A compiler feature rather than a <c>build_property</c>: the reuse happens inside the syntax
/// transforms, which see their syntax tree (and its parse options) but not the analyzer config options.
/// </remarks>
internal static class GeneratorCacheSwitch
{
    /// <summary>The name of the compiler feature (<c>-features:Sec0GeneratorCache=false</c>).</summary>
    public const string FeatureName = "Sec0GeneratorCache";

    /// <summary>Whether models of code in a tree with these options may be reused (on unless the feature says <c>false</c>).</summary>
    public static bool IsOn(ParseOptions options)
        => !(options.Features.TryGetValue(FeatureName, out var value) && string.Equals(value, "false", StringComparison.OrdinalIgnoreCase));
}

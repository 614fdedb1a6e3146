using Microsoft.CodeAnalysis;

namespace Sec0.Analyzers.Hops;

/// <summary>A <c>[Sec0Hop]</c> method of the compilation, as the compilation end action needs it.</summary>
internal sealed class HopDeclaration
{
    public HopDeclaration(string key, Location location)
    {
        Key = key;
        Location = location;
    }

    public string Key { get; }

    /// <summary>The method's name in its (first) declaration.</summary>
    public Location Location { get; }
}

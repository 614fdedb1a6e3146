using System;
using Microsoft.CodeAnalysis;

namespace Sec0.Generators.Caching;

/// <summary>The SHA-256 of one tree's declaration surface, and the tree's parse options.</summary>
internal sealed class TreeSurface : IEquatable<TreeSurface>
{
    private readonly ulong _h0, _h1, _h2, _h3;

    public TreeSurface(ulong h0, ulong h1, ulong h2, ulong h3, ParseOptions options)
    {
        _h0 = h0;
        _h1 = h1;
        _h2 = h2;
        _h3 = h3;
        Options = options;
    }

    public ParseOptions Options { get; }

    public bool Equals(TreeSurface? other)
        => other is not null && (ReferenceEquals(this, other)
            || (_h0 == other._h0 && _h1 == other._h1 && _h2 == other._h2 && _h3 == other._h3 && (ReferenceEquals(Options, other.Options) || Options.Equals(other.Options))));

    public override bool Equals(object? obj) => Equals(obj as TreeSurface);

    public override int GetHashCode() => unchecked((int)_h0);
}

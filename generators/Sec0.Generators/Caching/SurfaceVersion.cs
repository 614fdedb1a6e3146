using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace Sec0.Generators.Caching;

/// <summary>
/// The semantic surface of a compilation: every tree's <see cref="TreeSurface"/> in order, the
/// references (by metadata identity; a compilation reference by the surface of that compilation) and
/// the assembly name and options. Equal versions bind an unchanged tree the same way.
/// </summary>
/// <remarks>
/// Versions are interned (a few recent ones), so equal versions are usually the same object and a
/// cache entry is checked by reference. Nothing here holds a compilation, tree or metadata.
/// </remarks>
internal sealed class SurfaceVersion : IEquatable<SurfaceVersion>
{
    private const int InternedCapacity = 32;

    private static readonly ConditionalWeakTable<Compilation, SurfaceVersion> s_byCompilation = new();
    private static readonly List<SurfaceVersion> s_interned = new();

    private readonly string? _assemblyName;
    private readonly CompilationOptions _options;
    private readonly TreeSurface[] _trees;
    private readonly object[] _references;
    private readonly MetadataReferenceProperties[] _referenceProperties;
    private readonly int _hashCode;

    private SurfaceVersion(string? assemblyName, CompilationOptions options, TreeSurface[] trees, object[] references, MetadataReferenceProperties[] referenceProperties)
    {
        _assemblyName = assemblyName;
        _options = options;
        _trees = trees;
        _references = references;
        _referenceProperties = referenceProperties;
        var hash = StringComparer.Ordinal.GetHashCode(assemblyName ?? string.Empty);
        foreach (var tree in trees)
        {
            hash = unchecked((hash * 31) + tree.GetHashCode());
        }

        _hashCode = unchecked((hash * 31) + references.Length);
    }

    /// <summary>The (interned) version of a compilation; computed once per compilation object.</summary>
    public static SurfaceVersion For(Compilation compilation, GeneratorHooks hooks)
        => s_byCompilation.TryGetValue(compilation, out var version) ? version : ComputeAndStore(compilation, hooks);

    // Apart from For: a lambda capturing hooks allocates its closure when the method that holds it starts, and For runs
    // for every call-site candidate of every run, nearly always a hit.
    private static SurfaceVersion ComputeAndStore(Compilation compilation, GeneratorHooks hooks)
        => s_byCompilation.GetValue(compilation, c => Intern(Compute(c, hooks)));

    private static SurfaceVersion Compute(Compilation compilation, GeneratorHooks hooks)
    {
        var trees = new List<TreeSurface>();
        foreach (var tree in compilation.SyntaxTrees)
        {
            trees.Add(DeclarationSurface.Of(tree, hooks));
        }

        var references = new List<object>();
        var properties = new List<MetadataReferenceProperties>();
        foreach (var reference in compilation.References)
        {
            references.Add(ReferenceIdentity(reference, hooks));
            properties.Add(reference.Properties);
        }

        // A script's previous submission is not part of the key: never equal to another version.
        if (compilation.ScriptCompilationInfo is not null)
        {
            references.Add(new object());
            properties.Add(default);
        }

        return new SurfaceVersion(compilation.AssemblyName, compilation.Options, trees.ToArray(), references.ToArray(), properties.ToArray());
    }

    private static object ReferenceIdentity(MetadataReference reference, GeneratorHooks hooks)
    {
        try
        {
            switch (reference)
            {
                case CompilationReference compilationReference:
                    // Another project of the solution: equal when its surface is (body edits there don't count).
                    return For(compilationReference.Compilation, hooks);
                case PortableExecutableReference portable:
                    // Identifies the loaded metadata itself, not the file path.
                    return portable.GetMetadataId();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Unreadable metadata: fall through to an identity that equals nothing.
        }

        return new object();
    }

    private static SurfaceVersion Intern(SurfaceVersion version)
    {
        lock (s_interned)
        {
            for (var i = 0; i < s_interned.Count; i++)
            {
                var existing = s_interned[i];
                if (existing.Equals(version))
                {
                    s_interned.RemoveAt(i);
                    s_interned.Insert(0, existing);
                    return existing;
                }
            }

            s_interned.Insert(0, version);
            if (s_interned.Count > InternedCapacity)
            {
                s_interned.RemoveAt(s_interned.Count - 1);
            }

            return version;
        }
    }

    public bool Equals(SurfaceVersion? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null
            || _hashCode != other._hashCode
            || _trees.Length != other._trees.Length
            || _references.Length != other._references.Length
            || !string.Equals(_assemblyName, other._assemblyName, StringComparison.Ordinal)
            || !(ReferenceEquals(_options, other._options) || _options.Equals(other._options)))
        {
            return false;
        }

        for (var i = 0; i < _trees.Length; i++)
        {
            if (!_trees[i].Equals(other._trees[i]))
            {
                return false;
            }
        }

        for (var i = 0; i < _references.Length; i++)
        {
            // Metadata ids and interned versions compare by reference.
            if (!ReferenceEquals(_references[i], other._references[i]) || !_referenceProperties[i].Equals(other._referenceProperties[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as SurfaceVersion);

    public override int GetHashCode() => _hashCode;
}

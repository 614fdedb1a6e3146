// Compiled into the Sec0 analyzers too (linked), like HopNameIndex.
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace Sec0.Generators.Parsing;

/// <summary>
/// The instance methods with their own <c>[Sec0Hop]</c> that a compilation can reach through virtual or
/// interface dispatch, by name: declared in its source (found through the compiler's declaration
/// table, no body is bound) or in referenced assemblies compiled against the Sec0 runtime.
/// </summary>
/// <remarks>
/// Built lazily per name and cached per compilation (and per referenced assembly symbol, which the
/// compiler reuses between compilations). Nothing here flows through the incremental pipeline: the
/// call-site models built from it are plain data.
/// </remarks>
internal sealed class HopMethodIndex
{
    private static readonly ConditionalWeakTable<Compilation, HopMethodIndex> s_byCompilation = new();
    private static readonly ConditionalWeakTable<IAssemblySymbol, Dictionary<string, IMethodSymbol[]>> s_byAssembly = new();

    private readonly Compilation _compilation;
    private readonly ConcurrentDictionary<string, ImmutableArray<IMethodSymbol>> _byName = new(StringComparer.Ordinal);

    private HopMethodIndex(Compilation compilation) => _compilation = compilation;

    public static HopMethodIndex For(Compilation compilation) => s_byCompilation.GetValue(compilation, static c => new HopMethodIndex(c));

    /// <summary>The instance hop methods named <paramref name="name"/>, this compilation's first, then by documentation id.</summary>
    public ImmutableArray<IMethodSymbol> Named(string name) => _byName.GetOrAdd(name, Find);

    private ImmutableArray<IMethodSymbol> Find(string name)
    {
        var seen = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        var source = new List<IMethodSymbol>();
        foreach (var symbol in _compilation.GetSymbolsWithName(name, SymbolFilter.Member))
        {
            // A partial method counts once, as its defining part (the identity descriptors use).
            if (symbol is IMethodSymbol method && IsInstanceHop(method) && seen.Add(method.PartialDefinitionPart ?? method))
            {
                source.Add(method.PartialDefinitionPart ?? method);
            }
        }

        var referenced = new List<IMethodSymbol>();
        foreach (var assembly in _compilation.SourceModule.ReferencedAssemblySymbols)
        {
            if (s_byAssembly.GetValue(assembly, static a => Scan(a)).TryGetValue(name, out var methods))
            {
                referenced.AddRange(methods);
            }
        }

        var result = ImmutableArray.CreateBuilder<IMethodSymbol>(source.Count + referenced.Count);
        result.AddRange(Sorted(source));
        result.AddRange(Sorted(referenced));
        return result.MoveToImmutable();
    }

    private static bool IsInstanceHop(IMethodSymbol method)
        => method is { IsStatic: false, MethodKind: MethodKind.Ordinary } && Hops.FindHopAttribute(method) is not null;

    private static IEnumerable<IMethodSymbol> Sorted(List<IMethodSymbol> methods)
    {
        methods.Sort(static (a, b) => string.CompareOrdinal(Naming.MethodId(a), Naming.MethodId(b)));
        return methods;
    }

    private static Dictionary<string, IMethodSymbol[]> Scan(IAssemblySymbol assembly)
    {
        var byName = new Dictionary<string, List<IMethodSymbol>>(StringComparer.Ordinal);
        foreach (var method in HopNameIndex.HopMethodsOf(assembly))
        {
            if (method.IsStatic)
            {
                continue;
            }

            if (!byName.TryGetValue(method.Name, out var list))
            {
                list = new List<IMethodSymbol>();
                byName.Add(method.Name, list);
            }

            list.Add(method);
        }

        var result = new Dictionary<string, IMethodSymbol[]>(StringComparer.Ordinal);
        foreach (var pair in byName)
        {
            result.Add(pair.Key, pair.Value.ToArray());
        }

        return result;
    }
}

using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Sec0.Generators.Parsing;
using SharedHops = Sec0.Generators.Parsing.Hops;

namespace Sec0.Analyzers.Hops;

/// <summary>
/// The hop keys declared in referenced assemblies: an app's sec0.config.yaml also configures the hops
/// of the libraries it calls, so their entries are not stale (SEC0002). Cached per assembly symbol,
/// which the compiler reuses between compilations while the reference does not change.
/// </summary>
internal static class ReferencedHopKeys
{
    private static readonly ConditionalWeakTable<IAssemblySymbol, HashSet<string>> s_byAssembly = new();

    public static bool Contains(Compilation compilation, string key)
    {
        foreach (var assembly in compilation.SourceModule.ReferencedAssemblySymbols)
        {
            if (s_byAssembly.GetValue(assembly, Scan).Contains(key))
            {
                return true;
            }
        }

        return false;
    }

    private static HashSet<string> Scan(IAssemblySymbol assembly)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var method in HopNameIndex.HopMethodsOf(assembly))
        {
            keys.Add(SharedHops.Key(SharedHops.FindHopAttribute(method)!, method));
        }

        return keys;
    }
}

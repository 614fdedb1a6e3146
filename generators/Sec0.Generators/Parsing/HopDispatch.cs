// Compiled into the Sec0 analyzers too (linked): SEC0101 and the scorecard count the dispatched calls the
// generator intercepts. Symbols only, no generator models.
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Sec0.Generators.Parsing;

/// <summary>
/// The hops a call can reach through virtual or interface dispatch. A call bound to an interface member
/// or an overridable method runs, at run time, the implementation or override of the receiver's type; when
/// such a method carries its own <c>[Sec0Hop]</c>, the interceptor tests the receiver's type and decides
/// the call as that hop.
/// </summary>
internal static class HopDispatch
{
    /// <summary>
    /// True when a call bound to <paramref name="definition"/> may run another method: an instance interface
    /// member that is abstract or virtual, or a virtual, abstract or (unsealed) override method of a class
    /// that is not sealed.
    /// </summary>
    public static bool MayDispatch(IMethodSymbol definition)
    {
        if (definition.IsStatic || definition.MethodKind != MethodKind.Ordinary || definition.ContainingType is not { } type)
        {
            return false;
        }

        return type.TypeKind == TypeKind.Interface
            ? definition.IsAbstract || definition.IsVirtual
            : type.TypeKind == TypeKind.Class && !type.IsSealed && !definition.IsSealed && (definition.IsVirtual || definition.IsAbstract || definition.IsOverride);
    }

    /// <summary>
    /// The methods with their own <c>[Sec0Hop]</c> that implement or override <paramref name="definition"/> (the
    /// original definition of the called method) in this compilation or its references, each with the type
    /// the receiver is tested against: most derived first, then by type name, so the tests are exclusive
    /// in order and the output is stable. Hops whose type generated code cannot name are left to their guard.
    /// </summary>
    public static ImmutableArray<DispatchTarget> Targets(IMethodSymbol definition, Compilation compilation)
    {
        if (!MayDispatch(definition))
        {
            return ImmutableArray<DispatchTarget>.Empty;
        }

        List<DispatchTarget>? targets = null;
        foreach (var hop in HopMethodIndex.For(compilation).Named(definition.Name))
        {
            if (SymbolEqualityComparer.Default.Equals(hop, definition) || !Reaches(hop, definition)
                || Hops.FindHopAttribute(hop) is not { } attribute
                || TestType(hop.ContainingType, definition.ContainingType, compilation) is not { } testType)
            {
                continue;
            }

            (targets ??= new List<DispatchTarget>()).Add(new DispatchTarget(hop, attribute, testType, Depth(hop.ContainingType)));
        }

        if (targets is null)
        {
            return ImmutableArray<DispatchTarget>.Empty;
        }

        targets.Sort(Compare);
        return targets.ToImmutableArray();
    }

    private static int Compare(DispatchTarget a, DispatchTarget b)
    {
        if (a.Depth != b.Depth)
        {
            return b.Depth.CompareTo(a.Depth);
        }

        var byType = string.CompareOrdinal(a.TestTypeName, b.TestTypeName);
        return byType != 0 ? byType : string.CompareOrdinal(Naming.MethodId(a.Hop), Naming.MethodId(b.Hop));
    }

    /// <summary>
    /// The key a call is reported and commented under: the key of the hop the called method stands for and
    /// those of the hops it may reach through dispatch, in test order.
    /// </summary>
    public static string CallKey(IMethodSymbol? hop, AttributeData? attribute, ImmutableArray<DispatchTarget> targets)
    {
        if (targets.IsEmpty)
        {
            return hop is not null && attribute is not null ? Hops.Key(attribute, hop) : string.Empty;
        }

        var keys = new List<string>(targets.Length + 1);
        foreach (var target in targets)
        {
            var key = Hops.Key(target.Attribute, target.Hop);
            if (!keys.Contains(key))
            {
                keys.Add(key);
            }
        }

        if (hop is not null && attribute is not null && Hops.Key(attribute, hop) is var own && !keys.Contains(own))
        {
            keys.Add(own);
        }

        return string.Join(", ", keys);
    }

    /// <summary>True when <paramref name="hop"/> is what a call of <paramref name="definition"/> runs on an instance of the hop's type.</summary>
    private static bool Reaches(IMethodSymbol hop, IMethodSymbol definition)
    {
        if (definition.ContainingType.TypeKind != TypeKind.Interface)
        {
            return hop.OverriddenMethod is { } overridden && HopIdentity.IsOrOverrides(overridden, definition);
        }

        foreach (var @interface in hop.ContainingType.AllInterfaces)
        {
            if (!SymbolEqualityComparer.Default.Equals(@interface.OriginalDefinition, definition.ContainingType))
            {
                continue;
            }

            foreach (var member in @interface.GetMembers(definition.Name))
            {
                if (member is IMethodSymbol interfaceMethod
                    && SymbolEqualityComparer.Default.Equals(interfaceMethod.OriginalDefinition, definition)
                    && hop.ContainingType.FindImplementationForInterfaceMember(interfaceMethod) is IMethodSymbol implementation
                    && HopIdentity.IsOrOverrides(hop, implementation))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// The hop's containing type as the interceptor of <paramref name="called"/> can name it: the type itself
    /// when it is not generic; a generic type whose type parameters are exactly (unconstrained) type
    /// arguments of its view of <paramref name="called"/>, constructed over the interceptor's type parameters;
    /// otherwise null.
    /// </summary>
    private static INamedTypeSymbol? TestType(INamedTypeSymbol hopType, INamedTypeSymbol called, Compilation compilation)
    {
        if (hopType.IsRefLikeType || !compilation.IsSymbolAccessibleWithin(hopType, compilation.Assembly))
        {
            return null;
        }

        if (!IsGeneric(hopType))
        {
            return hopType;
        }

        if (IsGeneric(hopType.ContainingType) || IsGeneric(called.ContainingType) || View(hopType, called) is not { } view)
        {
            return null;
        }

        var arguments = new ITypeSymbol[hopType.TypeParameters.Length];
        for (var i = 0; i < arguments.Length; i++)
        {
            var parameter = hopType.TypeParameters[i];
            if (HasConstraints(parameter))
            {
                return null;
            }

            var position = view.TypeArguments.IndexOf(parameter, SymbolEqualityComparer.Default);
            if (position < 0)
            {
                return null;
            }

            arguments[i] = called.TypeParameters[position];
        }

        return hopType.Construct(arguments);
    }

    /// <summary>The constructed <paramref name="called"/> type among the interfaces or base types of <paramref name="type"/>.</summary>
    private static INamedTypeSymbol? View(INamedTypeSymbol type, INamedTypeSymbol called)
    {
        if (called.TypeKind == TypeKind.Interface)
        {
            foreach (var @interface in type.AllInterfaces)
            {
                if (SymbolEqualityComparer.Default.Equals(@interface.OriginalDefinition, called))
                {
                    return @interface;
                }
            }

            return null;
        }

        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, called))
            {
                return current;
            }
        }

        return null;
    }

    private static bool IsGeneric(INamedTypeSymbol? type)
    {
        for (var current = type; current is not null; current = current.ContainingType)
        {
            if (current.TypeParameters.Length > 0)
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasConstraints(ITypeParameterSymbol parameter)
        => parameter.HasReferenceTypeConstraint || parameter.HasValueTypeConstraint || parameter.HasUnmanagedTypeConstraint
            || parameter.HasNotNullConstraint || parameter.HasConstructorConstraint || parameter.ConstraintTypes.Length > 0;

    private static int Depth(INamedTypeSymbol type)
    {
        var depth = 0;
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            depth++;
        }

        return depth;
    }
}

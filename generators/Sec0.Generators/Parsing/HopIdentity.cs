// Compiled into the Sec0 analyzers too (linked): the generator and the analyzers must agree on which hop a
// call or a body belongs to. Symbols only, no generator models.
using Microsoft.CodeAnalysis;

namespace Sec0.Generators.Parsing;

/// <summary>
/// Which <c>[Sec0Hop]</c> a method stands for: its own attribute, else the nearest overridden method's,
/// else that of an interface member it implements. A call bound to the method is intercepted as that
/// hop, and a <c>HopGuard.Enter()</c> in its body is bound to it.
/// </summary>
internal static class HopIdentity
{
    /// <summary>The hop method that carries the attribute, or null when <paramref name="method"/> stands for no hop.</summary>
    public static IMethodSymbol? Find(IMethodSymbol method, out AttributeData? attribute)
    {
        var definition = (method.PartialDefinitionPart ?? method).OriginalDefinition;
        for (var current = definition; current is not null; current = current.OverriddenMethod?.OriginalDefinition)
        {
            attribute = Hops.FindHopAttribute(current);
            if (attribute is not null)
            {
                return current;
            }
        }

        return FindImplementedHop(definition, out attribute);
    }

    /// <summary>True when <paramref name="method"/> is <paramref name="target"/> or overrides it, directly or not.</summary>
    public static bool IsOrOverrides(IMethodSymbol method, IMethodSymbol target)
    {
        var wanted = target.OriginalDefinition;
        for (IMethodSymbol? current = method.OriginalDefinition; current is not null; current = current.OverriddenMethod?.OriginalDefinition)
        {
            if (SymbolEqualityComparer.Default.Equals(current, wanted))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The <c>[Sec0Hop]</c> interface member that <paramref name="definition"/> (or a method it overrides)
    /// implements; with several, the first by documentation id, so the choice is stable.
    /// </summary>
    private static IMethodSymbol? FindImplementedHop(IMethodSymbol definition, out AttributeData? attribute)
    {
        attribute = null;
        IMethodSymbol? found = null;
        string? foundId = null;
        if (definition.IsStatic || definition.ContainingType is not { } type || type.TypeKind is not (TypeKind.Class or TypeKind.Struct))
        {
            return null;
        }

        if (definition.MethodKind == MethodKind.ExplicitInterfaceImplementation)
        {
            foreach (var implemented in definition.ExplicitInterfaceImplementations)
            {
                Consider(implemented, ref found, ref foundId, ref attribute);
            }

            return found;
        }

        if (definition.MethodKind != MethodKind.Ordinary)
        {
            return null;
        }

        foreach (var @interface in type.AllInterfaces)
        {
            foreach (var member in @interface.GetMembers(definition.Name))
            {
                if (member is IMethodSymbol { IsStatic: false } interfaceMethod
                    && type.FindImplementationForInterfaceMember(interfaceMethod) is IMethodSymbol implementation
                    && IsOrOverrides(definition, implementation))
                {
                    Consider(interfaceMethod, ref found, ref foundId, ref attribute);
                }
            }
        }

        return found;
    }

    private static void Consider(IMethodSymbol interfaceMethod, ref IMethodSymbol? found, ref string? foundId, ref AttributeData? attribute)
    {
        if (Hops.FindHopAttribute(interfaceMethod) is not { } memberAttribute)
        {
            return;
        }

        var hop = interfaceMethod.OriginalDefinition;
        var id = Naming.MethodId(hop);
        if (foundId is null || string.CompareOrdinal(id, foundId) < 0)
        {
            found = hop;
            foundId = id;
            attribute = memberAttribute;
        }
    }
}

using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Sec0.Generators.Parsing;

/// <summary>Shared knowledge about the Sec0 attributes: names, keys, signatures.</summary>
internal static class Hops
{
    public const string HopAttributeMetadataName = "Sec0.Sec0HopAttribute";
    public const string ManifestAttributeMetadataName = "Sec0.Hops.Sec0HopManifestEntryAttribute";
    public const string McpToolAttributeMetadataName = "ModelContextProtocol.Server.McpServerToolAttribute";

    /// <summary>The display signature in the descriptor and the manifest (namespace-qualified, no global::).</summary>
    public static readonly SymbolDisplayFormat SignatureFormat = new(
        globalNamespaceStyle: SymbolDisplayGlobalNamespaceStyle.Omitted,
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
        genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
        memberOptions: SymbolDisplayMemberOptions.IncludeType | SymbolDisplayMemberOptions.IncludeContainingType
            | SymbolDisplayMemberOptions.IncludeParameters | SymbolDisplayMemberOptions.IncludeRef,
        parameterOptions: SymbolDisplayParameterOptions.IncludeType | SymbolDisplayParameterOptions.IncludeName
            | SymbolDisplayParameterOptions.IncludeParamsRefOut | SymbolDisplayParameterOptions.IncludeExtensionThis,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.UseSpecialTypes
            | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier
            | SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers);

    /// <summary>Fully qualified types for generated code.</summary>
    public static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static bool IsHopAttribute(INamedTypeSymbol? type)
        => type is { Name: "Sec0HopAttribute", ContainingNamespace: { Name: "Sec0", ContainingNamespace.IsGlobalNamespace: true } };

    public static bool IsManifestAttribute(INamedTypeSymbol? type)
        => type is { Name: "Sec0HopManifestEntryAttribute", ContainingNamespace: { Name: "Hops", ContainingNamespace: { Name: "Sec0", ContainingNamespace.IsGlobalNamespace: true } } };

    public static AttributeData? FindHopAttribute(IMethodSymbol method)
    {
        foreach (var attribute in method.GetAttributes())
        {
            if (IsHopAttribute(attribute.AttributeClass))
            {
                return attribute;
            }
        }

        return null;
    }

    /// <summary><c>[Sec0Hop("key")]</c>, else <c>Outer.Inner.Method</c> (simple type names).</summary>
    public static string Key(AttributeData attribute, IMethodSymbol method)
    {
        if (attribute.ConstructorArguments.Length == 1
            && attribute.ConstructorArguments[0].Value is string explicitKey
            && explicitKey.Length > 0)
        {
            return explicitKey;
        }

        return DefaultKey(method);
    }

    public static string DefaultKey(IMethodSymbol method)
    {
        var parts = new List<string> { method.Name };
        for (var type = method.ContainingType; type is not null; type = type.ContainingType)
        {
            parts.Insert(0, type.Name);
        }

        return string.Join(".", parts);
    }

    /// <summary>The <c>Type = HopType.X</c> named argument as its int value (0 = Unspecified).</summary>
    public static int ExpectedType(AttributeData attribute)
    {
        foreach (var named in attribute.NamedArguments)
        {
            if (named.Key == "Type" && named.Value.Value is int value)
            {
                return value;
            }
        }

        return 0;
    }

    public static string Signature(IMethodSymbol method) => method.ToDisplayString(SignatureFormat);
}

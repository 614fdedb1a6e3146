using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Sec0.Generators.Caching;
using Sec0.Generators.Model;

namespace Sec0.Generators.Parsing;

/// <summary>Turns <c>[Sec0Hop]</c> and <c>[McpServerTool]</c> declarations into <see cref="DescriptorModel"/>s.</summary>
internal static class HopParser
{
    public static bool IsMethodDeclaration(SyntaxNode node, CancellationToken cancellationToken)
        => node is MethodDeclarationSyntax;

    // ForAttributeWithMetadataName re-runs these transforms for every hop whenever the compilation
    // changes; the model of a declaration whose tree and the project's declaration surface are unchanged
    // is reused (see DeclarationSurface), unless Sec0GeneratorCache=false. Not for partial methods: their
    // hash reads the other part, which may be in another tree whose body edit leaves the surface equal.
    private static readonly SurfaceCache<MethodDeclarationSyntax, DescriptorModel> s_hops = new();
    private static readonly SurfaceCache<MethodDeclarationSyntax, DescriptorModel> s_mcpTools = new();

    public static DescriptorModel? ParseHop(GeneratorAttributeSyntaxContext context, GeneratorHooks hooks, CancellationToken cancellationToken)
        => Cached(s_hops, context, ParseHopCore, hooks, cancellationToken);

    public static DescriptorModel? ParseMcpTool(GeneratorAttributeSyntaxContext context, GeneratorHooks hooks, CancellationToken cancellationToken)
        => Cached(s_mcpTools, context, ParseMcpToolCore, hooks, cancellationToken);

    private static DescriptorModel? Cached(
        SurfaceCache<MethodDeclarationSyntax, DescriptorModel> cache,
        GeneratorAttributeSyntaxContext context,
        Func<GeneratorAttributeSyntaxContext, CancellationToken, DescriptorModel?> parse,
        GeneratorHooks hooks,
        CancellationToken cancellationToken)
    {
        if (context.TargetNode is not MethodDeclarationSyntax declaration
            || IsPartial(declaration)
            || !GeneratorCacheSwitch.IsOn(declaration.SyntaxTree.Options))
        {
            return parse(context, cancellationToken);
        }

        SurfaceVersion version;
        try
        {
            version = SurfaceVersion.For(context.SemanticModel.Compilation, hooks);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return parse(context, cancellationToken);
        }

        if (cache.TryGet(declaration, version, out var cached))
        {
            return cached;
        }

        var model = parse(context, cancellationToken);
        cache.Store(declaration, version, model);
        return model;
    }

    private static bool IsPartial(MethodDeclarationSyntax declaration)
    {
        foreach (var modifier in declaration.Modifiers)
        {
            if (modifier.ValueText == "partial")
            {
                return true;
            }
        }

        return false;
    }

    private static DescriptorModel? ParseHopCore(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        try
        {
            if (context.TargetSymbol is not IMethodSymbol method
                || method.MethodKind != MethodKind.Ordinary
                || context.TargetNode is not MethodDeclarationSyntax declaration
                || context.Attributes.Length == 0)
            {
                return null;
            }

            var attribute = context.Attributes[0];
            var key = Hops.Key(attribute, method);
            return Create("hop", key, Hops.ExpectedType(attribute), method, declaration, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Half-typed code: skip what cannot be modelled.
            return null;
        }
    }

    private static DescriptorModel? ParseMcpToolCore(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        try
        {
            if (context.TargetSymbol is not IMethodSymbol method
                || method.MethodKind != MethodKind.Ordinary
                || context.TargetNode is not MethodDeclarationSyntax declaration
                || context.Attributes.Length == 0)
            {
                return null;
            }

            var key = method.Name;
            foreach (var named in context.Attributes[0].NamedArguments)
            {
                if (named.Key == "Name" && named.Value.Value is string name && name.Length > 0)
                {
                    key = name;
                }
            }

            return Create("mcp_tool", key, 0, method, declaration, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return null;
        }
    }

    private static DescriptorModel Create(string kind, string key, int expectedType, IMethodSymbol method, MethodDeclarationSyntax declaration, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // A partial method: the declaration carrying the attribute plus the implementing part.
        var nodes = new List<SyntaxNode> { declaration };
        if (method.PartialImplementationPart is { } implementation && !SymbolEqualityComparer.Default.Equals(implementation, method))
        {
            foreach (var reference in implementation.DeclaringSyntaxReferences)
            {
                nodes.Add(reference.GetSyntax(cancellationToken));
            }
        }
        else if (method.PartialDefinitionPart is { } definition && !SymbolEqualityComparer.Default.Equals(definition, method))
        {
            foreach (var reference in definition.DeclaringSyntaxReferences)
            {
                nodes.Insert(0, reference.GetSyntax(cancellationToken));
            }
        }

        var hash = BodyHasher.Compute(nodes.ToArray());
        var span = declaration.SyntaxTree.GetLineSpan(declaration.Span, cancellationToken);
        var definitionSymbol = method.PartialDefinitionPart ?? method;
        var methodId = Naming.MethodId(definitionSymbol);
        return new DescriptorModel(
            kind,
            key,
            expectedType,
            hash,
            declaration.SyntaxTree.FilePath,
            span.StartLinePosition.Line + 1,
            span.EndLinePosition.Line + 1,
            Hops.Signature(definitionSymbol),
            methodId,
            kind == "hop" ? Naming.DescriptorField(key, methodId) : string.Empty);
    }
}

using System;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Sec0.Generators.Caching;

/// <summary>
/// The "declaration surface" of a compilation: everything of its syntax trees that code in another
/// file can observe when it binds (types, member signatures, attributes, usings, field/enum/parameter
/// initializers, directives) plus its references and options. Member bodies are left out.
/// </summary>
/// <remarks>
/// <para>
/// Soundness: how an invocation in tree T binds (and everything the call-site model holds) depends on
/// T's own text, on the symbols other trees declare, on the references and on the options. A method,
/// constructor, destructor, operator or accessor body (block or expression body) declares nothing
/// visible outside itself: its locals, local functions and lambdas are scoped to it, and C# infers no
/// member type from a body. So if T is the same tree object and the <see cref="SurfaceVersion"/> is
/// equal, binding in T gives the same result and a model computed earlier can be reused.
/// </para>
/// <para>
/// Where a body does leak, it is kept in the surface: bodies of members of types with a primary
/// constructor (a captured parameter becomes a field, which changes e.g. whether a struct is
/// unmanaged), accessor and property bodies that mention <c>field</c> (a synthesized backing field),
/// top-level statements (kept whole), and all preprocessor directives of the tree (a <c>#nullable</c>
/// inside a body applies to the declarations after it). Whether a body is present at all (<c>;</c>
/// versus a body: partial, abstract, interface, auto-property) stays visible as a marker.
/// </para>
/// </remarks>
internal static class DeclarationSurface
{
    private static readonly ConditionalWeakTable<SyntaxTree, TreeSurface> s_byTree = new();

    /// <summary>The surface of one tree; computed once per tree object (unchanged trees are reused across compilations).</summary>
    public static TreeSurface Of(SyntaxTree tree, GeneratorHooks hooks)
        => s_byTree.TryGetValue(tree, out var surface) ? surface : ComputeAndStore(tree, hooks);

    // Apart from Of, so the closure capturing hooks is allocated only on a miss.
    private static TreeSurface ComputeAndStore(SyntaxTree tree, GeneratorHooks hooks)
        => s_byTree.GetValue(tree, t =>
        {
            hooks.ComputingSurface?.Invoke(t);
            return Compute(t);
        });

    /// <summary>The surface of one tree, computed now (not cached).</summary>
    internal static TreeSurface Compute(SyntaxTree tree)
    {
        var root = tree.GetRoot();
        var text = new StringBuilder();
        foreach (var item in root.DescendantNodesAndTokens(static n => !IsHiddenBody(n)))
        {
            if (item.IsToken)
            {
                var token = item.AsToken();
                text.Append('\u0002').Append(token.RawKind).Append(' ').Append(token.Text);
            }
            else
            {
                // Node kinds keep the structure (and mark where a hidden body was).
                text.Append('\u0001').Append(item.RawKind);
            }
        }

        if (root is CompilationUnitSyntax unit)
        {
            for (var directive = unit.GetFirstDirective(); directive is not null; directive = directive.GetNextDirective())
            {
                text.Append('\u0003').Append(directive.ToString());
            }
        }

        byte[] digest;
        using (var sha = SHA256.Create())
        {
            digest = sha.ComputeHash(Encoding.UTF8.GetBytes(text.ToString()));
        }

        return new TreeSurface(
            BitConverter.ToUInt64(digest, 0),
            BitConverter.ToUInt64(digest, 8),
            BitConverter.ToUInt64(digest, 16),
            BitConverter.ToUInt64(digest, 24),
            tree.Options);
    }

    /// <summary>A member body whose content no other file can observe (see the remarks of the class).</summary>
    internal static bool IsHiddenBody(SyntaxNode node)
    {
        bool mayMentionField;
        switch (node)
        {
            case BlockSyntax { Parent: BaseMethodDeclarationSyntax }:
            case ArrowExpressionClauseSyntax { Parent: BaseMethodDeclarationSyntax }:
                mayMentionField = false;
                break;
            case BlockSyntax { Parent: AccessorDeclarationSyntax }:
            case ArrowExpressionClauseSyntax { Parent: AccessorDeclarationSyntax or BasePropertyDeclarationSyntax }:
                mayMentionField = true;
                break;
            default:
                return false;
        }

        for (var current = node.Parent; current is not null; current = current.Parent)
        {
            if (current is TypeDeclarationSyntax { ParameterList: not null })
            {
                return false;
            }
        }

        if (mayMentionField)
        {
            foreach (var token in node.DescendantTokens())
            {
                if (token.ValueText == "field")
                {
                    return false;
                }
            }
        }

        return true;
    }
}

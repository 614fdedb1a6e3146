// This file is also compiled into the Sec0 analyzers (linked), so that SEC0101/SEC0102 report exactly the
// calls and declarations the generator leaves alone, with the same reasons: keep it free of generator models.
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Sec0.Generators.Parsing;

/// <summary>The rules that decide whether a call of a hop can be intercepted, and the reason when not.</summary>
internal static class InterceptionRules
{
    /// <summary>A method group or delegate conversion: the delegate calls the method, no call site to intercept.</summary>
    public const string MethodGroupReason = "a method group or delegate conversion calls the hop through the delegate, not through an interceptable call";

    /// <summary><c>base.M()</c>: an interceptor cannot make the non-virtual base call.</summary>
    public const string BaseCallReason = "base. calls cannot be intercepted (an interceptor cannot make a non-virtual base call)";

    public const string ExpressionTreeReason = "calls inside expression trees cannot be intercepted";

    public const string BindingErrorReason = "the call does not bind without errors";

    /// <summary>A constrained call on a type parameter that may be a struct: the interceptor's receiver parameter would box it.</summary>
    public const string BoxedReceiverReason = "the receiver is a type parameter that may be a struct: an interceptor would box it, and changes the method makes to the struct would be lost";

    /// <summary>
    /// True when intercepting a call of <paramref name="definition"/> (an instance method of an interface or
    /// class) on a receiver of type <paramref name="receiverType"/> would box the receiver: a type parameter not
    /// known to be a reference type, called in place (constrained) without an interceptor.
    /// </summary>
    public static bool BoxesReceiver(IMethodSymbol definition, ITypeSymbol? receiverType)
        => !definition.IsStatic
            && definition.ContainingType?.TypeKind is TypeKind.Interface or TypeKind.Class
            && receiverType is ITypeParameterSymbol { IsReferenceType: false };

    /// <summary>
    /// Why no call of <paramref name="definition"/> (the original definition of the hop method) can be
    /// intercepted from <paramref name="compilation"/>, or null when calls can be. Binding errors are not
    /// judged here (see <see cref="HasErrors"/>).
    /// </summary>
    public static string? DeclarationSkipReason(IMethodSymbol definition, Compilation compilation)
    {
        if (definition.MethodKind != MethodKind.Ordinary)
        {
            return definition.MethodKind switch
            {
                MethodKind.LocalFunction => "local functions cannot be intercepted (only ordinary methods can)",
                MethodKind.AnonymousFunction => "lambdas cannot be intercepted (only ordinary methods can)",
                MethodKind.PropertyGet or MethodKind.PropertySet or MethodKind.EventAdd or MethodKind.EventRemove
                    => "accessors cannot be intercepted (only ordinary methods can)",
                _ => "only ordinary methods can be intercepted",
            };
        }

        if (definition.IsStatic && definition.ContainingType?.TypeKind == TypeKind.Interface && (definition.IsAbstract || definition.IsVirtual))
        {
            return "static abstract or virtual interface members cannot be intercepted";
        }

        if (definition.ReturnsByRef || definition.ReturnsByRefReadonly)
        {
            return "methods returning by reference are not intercepted";
        }

        if (definition.IsVararg)
        {
            return "__arglist methods are not intercepted";
        }

        if (definition.ContainingType is null || definition.ContainingType.IsAnonymousType)
        {
            return "the hop has no named containing type";
        }

        if (!compilation.IsSymbolAccessibleWithin(definition, compilation.Assembly))
        {
            return "the hop method is not accessible to generated code (private or protected)";
        }

        // The interceptor declares the type parameters of the containing types and the method side by side.
        var names = new HashSet<string>(System.StringComparer.Ordinal);
        for (var type = definition.ContainingType; type is not null; type = type.ContainingType)
        {
            foreach (var typeParameter in type.TypeParameters)
            {
                if (!names.Add(typeParameter.Name))
                {
                    return "type parameters of the hop and its containing types share a name";
                }
            }
        }

        foreach (var typeParameter in definition.TypeParameters)
        {
            if (!names.Add(typeParameter.Name))
            {
                return "type parameters of the hop and its containing types share a name";
            }
        }

        foreach (var parameter in definition.Parameters)
        {
            if (parameter.RefKind == RefKind.None && parameter.Type.IsRefLikeType && parameter.ScopedKind == ScopedKind.None && HasUnscopedRef(parameter))
            {
                return "[UnscopedRef] parameters are not intercepted";
            }
        }

        return null;
    }

    /// <summary>
    /// The generator's syntactic filter: an invocation whose callee is a simple name (not <c>nameof</c>), a
    /// generic name, a member access (not <c>base.</c>) or a conditional member binding. Other callee
    /// shapes (a parenthesized method group, for instance) are never intercepted.
    /// </summary>
    public static bool IsCandidateCallee(InvocationExpressionSyntax invocation)
    {
        switch (invocation.Expression)
        {
            case IdentifierNameSyntax identifier:
                // nameof(...) is an invocation syntactically.
                return identifier.Identifier.ValueText != "nameof";
            case GenericNameSyntax:
            case MemberBindingExpressionSyntax:
                return true;
            case MemberAccessExpressionSyntax memberAccess:
                return memberAccess.Expression is not BaseExpressionSyntax;
            default:
                return false;
        }
    }

    /// <summary>True for <c>base.M(...)</c>; the generator's syntactic filter never takes these.</summary>
    public static bool IsBaseCall(InvocationExpressionSyntax invocation)
        => invocation.Expression is MemberAccessExpressionSyntax { Expression: BaseExpressionSyntax };

    public static bool HasUnscopedRef(IParameterSymbol parameter)
    {
        foreach (var attribute in parameter.GetAttributes())
        {
            if (attribute.AttributeClass?.Name == "UnscopedRefAttribute")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when the signature of <paramref name="method"/> mentions a type that does not bind.</summary>
    public static bool HasErrors(IMethodSymbol method)
    {
        if (IsError(method.ReturnType) || (method.ContainingType is { } containing && IsError(containing)))
        {
            return true;
        }

        foreach (var parameter in method.Parameters)
        {
            if (IsError(parameter.Type))
            {
                return true;
            }
        }

        foreach (var typeArgument in method.TypeArguments)
        {
            if (IsError(typeArgument))
            {
                return true;
            }
        }

        return false;
    }

    public static bool IsError(ITypeSymbol type) => type switch
    {
        IErrorTypeSymbol => true,
        IArrayTypeSymbol array => IsError(array.ElementType),
        IPointerTypeSymbol pointer => IsError(pointer.PointedAtType),
        INamedTypeSymbol named => AnyError(named.TypeArguments) || (named.ContainingType is { } outer && IsError(outer)),
        _ => type.TypeKind == TypeKind.Error,
    };

    public static bool AnyError(System.Collections.Immutable.ImmutableArray<ITypeSymbol> types)
    {
        foreach (var type in types)
        {
            if (IsError(type))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when <paramref name="node"/> sits in a lambda converted to an expression tree.</summary>
    public static bool IsInExpressionTree(SyntaxNode node, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        for (var current = node.Parent; current is not null; current = current.Parent)
        {
            if (current is AnonymousFunctionExpressionSyntax lambda)
            {
                var converted = semanticModel.GetTypeInfo(lambda, cancellationToken).ConvertedType;
                for (var type = converted as INamedTypeSymbol; type is not null; type = type.BaseType)
                {
                    if (type is { Name: "LambdaExpression" or "Expression", ContainingNamespace: { Name: "Expressions", ContainingNamespace: { Name: "Linq", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } } })
                    {
                        return true;
                    }
                }
            }
            else if (current is MemberDeclarationSyntax)
            {
                break;
            }
        }

        return false;
    }
}

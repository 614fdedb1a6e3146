// Compiled into the Sec0 analyzers too (linked): SEC0103/SEC0104 report exactly the guards the generator
// binds and the hop bodies it can guard.
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Sec0.Generators.Parsing;

/// <summary>Recognises <c>Sec0.HopGuard.Enter()</c> calls and the hop body they guard.</summary>
internal static class HopGuardCalls
{
    public const string MethodName = "Enter";

    /// <summary>A syntactic pre-check before binding: a parameterless call named <c>Enter</c>.</summary>
    public static bool MayBeGuard(InvocationExpressionSyntax invocation, string invokedName)
        => invokedName == MethodName && invocation.ArgumentList.Arguments.Count == 0;

    /// <summary>True for <c>Sec0.HopGuard.Enter()</c> (the parameterless overload users write).</summary>
    public static bool IsGuardMethod(IMethodSymbol method)
        => method is { Name: MethodName, IsStatic: true, Parameters.Length: 0, ContainingType: { Name: "HopGuard", ContainingNamespace: { Name: "Sec0", ContainingNamespace.IsGlobalNamespace: true } } };

    /// <summary>
    /// The method whose own body <paramref name="node"/> is in; null inside a lambda, a local function or any
    /// other member (their bodies run at another time than the method's call).
    /// </summary>
    public static MethodDeclarationSyntax? EnclosingMethod(SyntaxNode node)
    {
        for (var current = node.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case AnonymousFunctionExpressionSyntax:
                case LocalFunctionStatementSyntax:
                    return null;
                case MethodDeclarationSyntax method:
                    return method;
                case MemberDeclarationSyntax:
                    return null;
            }
        }

        return null;
    }

    /// <summary>
    /// The hop a guard in the body of <paramref name="method"/> is bound to: the hop the method stands for,
    /// when that hop is an ordinary method (the generator declares descriptors for those only).
    /// </summary>
    public static IMethodSymbol? GuardedHop(IMethodSymbol method, out AttributeData? attribute)
    {
        var hop = HopIdentity.Find(method, out attribute);
        return hop is { MethodKind: MethodKind.Ordinary } ? hop : null;
    }

    /// <summary>
    /// True when <paramref name="statement"/> is written <c>HopGuard.Enter();</c> (any qualification, or <c>Enter();</c>
    /// under <c>using static</c>); binding confirms it.
    /// </summary>
    public static bool LooksLikeGuard(StatementSyntax? statement)
        => statement is ExpressionStatementSyntax { Expression: InvocationExpressionSyntax { ArgumentList.Arguments.Count: 0 } invocation }
            && invocation.Expression is MemberAccessExpressionSyntax { Name.Identifier.ValueText: MethodName } or IdentifierNameSyntax { Identifier.ValueText: MethodName };
}

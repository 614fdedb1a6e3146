using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;
using Sec0.Generators.Parsing;

namespace Sec0.Analyzers.CodeFixes;

/// <summary>
/// SEC0103: makes <c>HopGuard.Enter();</c> the first statement of the hop's body (moving one written further
/// down); an expression body becomes a block.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddHopGuardCodeFixProvider)), Shared]
public sealed class AddHopGuardCodeFixProvider : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.MissingHopGuard.Id);

    public override FixAllProvider? GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            var declaration = root.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.FirstAncestorOrSelf<MethodDeclarationSyntax>();
            if (declaration is null || (declaration.Body is null && declaration.ExpressionBody is null))
            {
                continue;
            }

            var document = context.Document;
            context.RegisterCodeFix(
                CodeAction.Create(
                    "Start the hop with HopGuard.Enter()",
                    cancellationToken => AddGuardAsync(document, declaration, cancellationToken),
                    equivalenceKey: nameof(AddHopGuardCodeFixProvider)),
                diagnostic);
        }
    }

    private static async Task<Document> AddGuardAsync(Document document, MethodDeclarationSyntax declaration, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var semanticModel = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || semanticModel is null)
        {
            return document;
        }

        // Written qualified; the simplifier shortens it to HopGuard.Enter() where Sec0 is imported.
        // Elastic trivia: the formatter puts it on a line of its own, whatever surrounds it.
        var guard = SyntaxFactory.ParseStatement("global::Sec0.HopGuard.Enter();")
            .WithLeadingTrivia(SyntaxFactory.ElasticMarker)
            .WithTrailingTrivia(SyntaxFactory.ElasticMarker)
            .WithAdditionalAnnotations(Simplifier.Annotation, Formatter.Annotation);
        MethodDeclarationSyntax updated;
        if (declaration.Body is { } body)
        {
            var rest = body.Statements.Where(statement => !IsGuard(statement, semanticModel, cancellationToken));
            updated = declaration.WithBody(body.WithStatements(SyntaxFactory.List(new[] { guard }.Concat(rest))).WithAdditionalAnnotations(Formatter.Annotation));
        }
        else
        {
            var expression = declaration.ExpressionBody!.Expression;
            StatementSyntax statement = ReturnsValue(semanticModel.GetDeclaredSymbol(declaration, cancellationToken))
                ? SyntaxFactory.ReturnStatement(expression.WithoutTrivia())
                : SyntaxFactory.ExpressionStatement(expression.WithoutTrivia());
            updated = declaration
                .WithExpressionBody(null)
                .WithSemicolonToken(default)
                .WithParameterList(declaration.ParameterList.WithoutTrailingTrivia())
                .WithBody(SyntaxFactory.Block(guard, statement).WithTrailingTrivia(declaration.SemicolonToken.TrailingTrivia))
                .WithAdditionalAnnotations(Formatter.Annotation);
        }

        return document.WithSyntaxRoot(root.ReplaceNode(declaration, updated));
    }

    private static bool IsGuard(StatementSyntax statement, SemanticModel semanticModel, CancellationToken cancellationToken)
        => HopGuardCalls.LooksLikeGuard(statement)
            && semanticModel.GetSymbolInfo(((ExpressionStatementSyntax)statement).Expression, cancellationToken).Symbol is IMethodSymbol method
            && HopGuardCalls.IsGuardMethod(method);

    /// <summary>True when the expression body is the returned value (not a void call, nor the await of an async Task).</summary>
    private static bool ReturnsValue(IMethodSymbol? method)
    {
        if (method is null || method.ReturnsVoid)
        {
            return false;
        }

        return !(method.IsAsync && method.ReturnType is INamedTypeSymbol { Arity: 0, Name: "Task" or "ValueTask" } returned
            && returned.ContainingNamespace.ToDisplayString() == "System.Threading.Tasks");
    }
}

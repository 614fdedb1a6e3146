using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace Sec0.Analyzers.CodeFixes;

/// <summary>SEC0003: changes <c>Type = HopType.X</c> in the attribute to the type the config states.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ChangeHopTypeCodeFixProvider)), Shared]
public sealed class ChangeHopTypeCodeFixProvider : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.HopTypeMismatch.Id);

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
            if (!diagnostic.Properties.TryGetValue(DiagnosticProperties.ConfiguredHopType, out var configured) || configured is null)
            {
                continue;
            }

            var attribute = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<AttributeSyntax>();
            var argument = attribute?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == "Type");
            if (argument is null)
            {
                continue;
            }

            // Keep the way the user wrote it (HopType.Agent, Sec0.HopType.Agent): change only the member name.
            ExpressionSyntax replacement = argument.Expression is MemberAccessExpressionSyntax memberAccess
                ? memberAccess.WithName(SyntaxFactory.IdentifierName(configured).WithTriviaFrom(memberAccess.Name))
                : SyntaxFactory.ParseExpression("global::Sec0.HopType." + configured).WithTriviaFrom(argument.Expression).WithAdditionalAnnotations(Simplifier.Annotation);
            var newRoot = root.ReplaceNode(argument.Expression, replacement);
            var document = context.Document;
            context.RegisterCodeFix(
                CodeAction.Create(
                    "Change the hop type to HopType." + configured,
                    _ => Task.FromResult(document.WithSyntaxRoot(newRoot)),
                    equivalenceKey: nameof(ChangeHopTypeCodeFixProvider) + configured),
                diagnostic);
        }
    }
}

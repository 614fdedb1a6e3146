using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Sec0.Analyzers.Config;

namespace Sec0.Analyzers.CodeFixes;

/// <summary>SEC0002: removes the lines of an <c>app.hops</c> entry that matches no hop.</summary>
[ExportCodeFixProvider(
    LanguageNames.CSharp,
    Name = nameof(RemoveStaleHopEntryCodeFixProvider),
    DocumentKinds = new[] { nameof(TextDocumentKind.AdditionalDocument) },
    DocumentExtensions = new[] { ".yaml", ".yml" })]
[Shared]
public sealed class RemoveStaleHopEntryCodeFixProvider : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.StaleHopEntry.Id);

    // Removals shift each other's positions; one at a time keeps every edit exact.
    public override FixAllProvider? GetFixAllProvider() => null;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var document = context.TextDocument;
        if (!ConfigFiles.IsConfigFile(document.FilePath ?? document.Name))
        {
            return;
        }

        var config = await ConfigDocuments.ParseAsync(document, context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(DiagnosticProperties.HopKey, out var key) || key is null
                || ConfigTextEdits.RemoveHopEntry(config, key) is not { } change)
            {
                continue;
            }

            var solution = document.Project.Solution;
            var newText = config.Text.WithChanges(change);
            context.RegisterCodeFix(
                CodeAction.Create(
                    "Remove app.hops entry \"" + key + "\"",
                    _ => Task.FromResult(solution.WithAdditionalDocumentText(document.Id, newText)),
                    equivalenceKey: nameof(RemoveStaleHopEntryCodeFixProvider)),
                diagnostic);
        }
    }
}

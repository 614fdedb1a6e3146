using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Sec0.Analyzers.Config;
using Sec0.Config;

namespace Sec0.Analyzers.CodeFixes;

/// <summary>SEC0001: adds the missing <c>app.hops</c> entry to sec0.config.yaml, required fields as placeholders.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddHopEntryCodeFixProvider)), Shared]
public sealed class AddHopEntryCodeFixProvider : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.MissingHopEntry.Id);

    // Each fix edits the one YAML file at a place computed from its current text: fixing all at once
    // would need the edits merged, which the batch fixer cannot do for an additional document.
    public override FixAllProvider? GetFixAllProvider() => null;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var configDocument = ConfigDocuments.Find(context.Document.Project);
        if (configDocument is null)
        {
            return;
        }

        var config = await ConfigDocuments.ParseAsync(configDocument, context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(DiagnosticProperties.HopKey, out var key) || key is null
                || !diagnostic.Properties.TryGetValue(DiagnosticProperties.HopType, out var typeName)
                || !HopRequirements.TryParseHopType(typeName, out var type))
            {
                continue;
            }

            var changes = ConfigTextEdits.AddHopEntry(config, key, type);
            if (changes.Count == 0)
            {
                continue;
            }

            var solution = context.Document.Project.Solution;
            var newText = config.Text.WithChanges(changes);
            context.RegisterCodeFix(
                CodeAction.Create(
                    "Add app.hops entry \"" + key + "\" to " + configDocument.Name,
                    _ => Task.FromResult(solution.WithAdditionalDocumentText(configDocument.Id, newText)),
                    equivalenceKey: nameof(AddHopEntryCodeFixProvider)),
                diagnostic);
        }
    }
}

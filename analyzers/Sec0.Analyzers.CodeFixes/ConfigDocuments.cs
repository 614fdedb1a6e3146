using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Sec0.Analyzers.Config;

namespace Sec0.Analyzers.CodeFixes;

/// <summary>Finds and parses a project's sec0.config.yaml additional document, as the analyzer did.</summary>
internal static class ConfigDocuments
{
    public static TextDocument? Find(Project project)
    {
        foreach (var document in project.AdditionalDocuments)
        {
            if (ConfigFiles.IsConfigFile(document.FilePath ?? document.Name))
            {
                return document;
            }
        }

        return null;
    }

    public static async Task<ConfigDocument> ParseAsync(TextDocument document, CancellationToken cancellationToken)
    {
        var text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
        return ConfigDocumentParser.Parse(document.FilePath ?? document.Name, text, cancellationToken);
    }
}

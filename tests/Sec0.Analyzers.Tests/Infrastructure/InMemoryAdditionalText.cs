using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Sec0.Analyzers.Tests.Infrastructure;

/// <summary>An AdditionalFiles item held in memory, as the compiler hands sec0.config.yaml to analyzers.</summary>
internal sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    private readonly SourceText _text = SourceText.From(text);

    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
}

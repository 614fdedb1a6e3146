using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Sec0.Config.Yaml;

/// <summary>
/// Parses YAML text that must hold at most one document, with a nesting limit, and turns every parser
/// failure into the caller's own exception with a line and column. Shared by the config and policy
/// loaders so that both report syntax errors the same way.
/// </summary>
internal static class YamlDocumentParser
{
    /// <summary>Makes the caller's exception for a syntax error at a 1-based line and column.</summary>
    public delegate Exception SyntaxErrorFactory(int line, int column, string message, Exception inner);

    /// <summary>Parses <paramref name="yaml"/> and returns the root node of its one document, or null when it holds none.</summary>
    /// <param name="yaml">The YAML text.</param>
    /// <param name="maxDepth">Mappings and sequences nested deeper than this are a syntax error.</param>
    /// <param name="syntaxError">Makes the exception for a syntax error.</param>
    /// <param name="multipleDocuments">Makes the exception for a second document, given its root node.</param>
    public static YamlNode? ParseSingleDocument(string yaml, int maxDepth, SyntaxErrorFactory syntaxError, Func<YamlNode, Exception> multipleDocuments)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(yaml);
        var parser = new DepthLimitingParser(new Parser(reader), maxDepth);
        try
        {
            stream.Load(parser);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // YamlDotNet's messages name only where it gave up, some none at all ("Operation is not valid due to the
            // current state of the object"): say in plain words what is broken, where it starts and where parsing failed.
            var error = YamlSyntaxErrorDescriber.Describe(yaml, ex, parser.LastPosition, maxDepth);
            throw syntaxError(error.Line, error.Column, error.Message, ex);
        }

        return stream.Documents.Count switch
        {
            0 => null,
            1 => stream.Documents[0].RootNode,
            _ => throw multipleDocuments(stream.Documents[1].RootNode),
        };
    }
}

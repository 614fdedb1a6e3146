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
        catch (YamlException ex)
        {
            var line = YamlConfigReader.ToInt(ex.Start.Line);
            var column = YamlConfigReader.ToInt(ex.Start.Column);
            if (ex.Message.Contains("tab as indentation", StringComparison.Ordinal) || ex.Message.Contains("tab character that violate", StringComparison.Ordinal))
            {
                (line, column) = FindTabIndentation(yaml, line, column);
            }

            throw syntaxError(line, column, StripPosition(ex.Message), ex);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // YamlDotNet reports some problems (duplicate keys, some malformed scalars) with non-YAML
            // exception types and no position; the end of the last event read is close to the problem.
            var line = Math.Max(1, YamlConfigReader.ToInt(parser.LastPosition.Line));
            var column = Math.Max(1, YamlConfigReader.ToInt(parser.LastPosition.Column));
            throw syntaxError(line, column, "The YAML could not be parsed: " + ex.Message, ex);
        }

        return stream.Documents.Count switch
        {
            0 => null,
            1 => stream.Documents[0].RootNode,
            _ => throw multipleDocuments(stream.Documents[1].RootNode),
        };
    }

    /// <summary>
    /// YamlDotNet reports a tab used as indentation at the start of the enclosing mapping; point at the
    /// first indenting tab at or after that line instead, which is what the user has to fix.
    /// </summary>
    private static (int Line, int Column) FindTabIndentation(string yaml, int line, int column)
    {
        var lines = yaml.Split('\n');
        for (var index = Math.Max(0, line - 1); index < lines.Length; index++)
        {
            var text = lines[index];
            var indent = 0;
            while (indent < text.Length && text[indent] is ' ' or '\t')
            {
                if (text[indent] == '\t')
                {
                    return (index + 1, indent + 1);
                }

                indent++;
            }
        }

        return (line, column);
    }

    /// <summary>YamlDotNet prefixes messages with "(Line: 3, Col: 5, Idx: 20) - (...): "; we state the position ourselves.</summary>
    private static string StripPosition(string message)
    {
        if (message.StartsWith("(Line:", StringComparison.Ordinal))
        {
            var end = message.IndexOf("): ", StringComparison.Ordinal);
            var second = end < 0 ? -1 : message.IndexOf("): ", end + 3, StringComparison.Ordinal);
            if (second > 0 && message.AsSpan(end, second - end).Contains(" - (Line:", StringComparison.Ordinal))
            {
                return message[(second + 3)..];
            }

            if (end > 0)
            {
                return message[(end + 3)..];
            }
        }

        return message;
    }
}

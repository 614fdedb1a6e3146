using Microsoft.CodeAnalysis.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Sec0.Analyzers.Config;

/// <summary>Turns YamlDotNet's 1-based marks into positions in the file's <see cref="SourceText"/>.</summary>
internal static class YamlPositions
{
    public static LinePosition ToLinePosition(SourceText text, Mark mark)
    {
        var line = Clamp(mark.Line - 1, 0, text.Lines.Count - 1);
        var lineLength = text.Lines[line].End - text.Lines[line].Start;
        var column = Clamp(mark.Column - 1, 0, lineLength);
        return new LinePosition(line, column);
    }

    public static int ToPosition(SourceText text, Mark mark) => text.Lines.GetPosition(ToLinePosition(text, mark));

    /// <summary>The node's own text (a key, a scalar value, or the start of a mapping).</summary>
    public static (TextSpan Span, LinePositionSpan LineSpan) Of(SourceText text, YamlNode node) => Between(text, node.Start, node.End);

    public static (TextSpan Span, LinePositionSpan LineSpan) Between(SourceText text, Mark start, Mark end)
    {
        var startPosition = ToLinePosition(text, start);
        var endPosition = ToLinePosition(text, end);
        if (endPosition < startPosition)
        {
            endPosition = startPosition;
        }

        var span = TextSpan.FromBounds(text.Lines.GetPosition(startPosition), text.Lines.GetPosition(endPosition));
        return (span, new LinePositionSpan(startPosition, endPosition));
    }

    /// <summary>An empty span at a 1-based line and column (parser errors point at a place, not a range).</summary>
    public static (TextSpan Span, LinePositionSpan LineSpan) At(SourceText text, long line, long column)
    {
        var mark = new Mark(0, line < 1 ? 1 : line, column < 1 ? 1 : column);
        return Between(text, mark, mark);
    }

    public static int LineOf(Mark mark) => (int)mark.Line;

    public static int ColumnOf(Mark mark) => (int)mark.Column;

    private static int Clamp(long value, int min, int max) => value < min ? min : value > max ? max : (int)value;
}

using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Sec0.Config.Yaml;

/// <summary>
/// Wraps the YamlDotNet parser and rejects documents nested deeper than a limit, because YamlStream
/// builds its node tree recursively and a stack overflow cannot be caught.
/// </summary>
internal sealed class DepthLimitingParser(IParser inner, int maxDepth) : IParser
{
    private int _depth;

    public ParsingEvent? Current => inner.Current;

    public bool MoveNext()
    {
        if (!inner.MoveNext())
        {
            return false;
        }

        switch (inner.Current)
        {
            case MappingStart or SequenceStart:
                if (++_depth > maxDepth)
                {
                    var current = inner.Current;
                    throw new YamlException(current.Start, current.End, $"The document is nested deeper than {maxDepth} levels.");
                }

                break;
            case MappingEnd or SequenceEnd:
                _depth--;
                break;
        }

        return true;
    }
}

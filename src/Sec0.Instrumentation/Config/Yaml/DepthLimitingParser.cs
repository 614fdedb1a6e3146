// This file is also compiled into the Sec0 analyzers (netstandard2.0), where a stack overflow inside the compiler
// or the IDE cannot be caught either: keep it to plain C# and netstandard2.0 APIs.
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Sec0.Config.Yaml;

/// <summary>
/// Wraps the YamlDotNet parser and rejects documents nested deeper than a limit, because YamlStream
/// builds its node tree recursively and a stack overflow cannot be caught. It also remembers the last
/// position read, for the few malformed inputs where YamlDotNet fails with a non-YAML exception.
/// </summary>
internal sealed class DepthLimitingParser(IParser inner, int maxDepth) : IParser
{
    /// <summary>The start of the message for a document nested too deeply; the describer keeps this message as is.</summary>
    public const string TooDeepMessagePrefix = "The document is nested deeper than ";

    private int _depth;

    public ParsingEvent? Current => inner.Current;

    /// <summary>Where the last event read ended: the best position to report when YamlDotNet fails without one.</summary>
    public Mark LastPosition { get; private set; } = Mark.Empty;

    public bool MoveNext()
    {
        if (!inner.MoveNext())
        {
            return false;
        }

        if (inner.Current is { } read)
        {
            LastPosition = read.End;
        }

        switch (inner.Current)
        {
            case MappingStart or SequenceStart:
                if (++_depth > maxDepth)
                {
                    var current = inner.Current;
                    throw new YamlException(current.Start, current.End, TooDeepMessagePrefix + maxDepth + " levels.");
                }

                break;
            case MappingEnd or SequenceEnd:
                _depth--;
                break;
        }

        return true;
    }
}

using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Sec0.Analyzers.Config
{
    /// <summary>
    /// Stops YamlDotNet's recursive loader before deeply nested input can overflow the stack: an analyzer
    /// runs inside the compiler (and the IDE), where a stack overflow cannot be caught.
    /// </summary>
    internal sealed class DepthLimitingParser : IParser
    {
        public const int MaxDepth = 64;

        private readonly IParser _inner;
        private int _depth;

        public DepthLimitingParser(IParser inner) => _inner = inner;

        public ParsingEvent? Current => _inner.Current;

        /// <summary>Where the last event read ended: the position to report when YamlDotNet fails without one.</summary>
        public Mark LastPosition { get; private set; } = new Mark(0, 1, 1);

        public bool MoveNext()
        {
            if (!_inner.MoveNext())
            {
                return false;
            }

            if (_inner.Current is { } read)
            {
                LastPosition = read.End;
            }

            switch (_inner.Current)
            {
                case MappingStart:
                case SequenceStart:
                    if (++_depth > MaxDepth)
                    {
                        throw new YamlException(_inner.Current.Start, _inner.Current.End, "The YAML is nested more than " + MaxDepth + " levels deep.");
                    }

                    break;
                case MappingEnd:
                case SequenceEnd:
                    _depth--;
                    break;
            }

            return true;
        }
    }
}

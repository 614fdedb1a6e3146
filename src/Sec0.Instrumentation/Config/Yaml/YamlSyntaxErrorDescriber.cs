// This file is also compiled into the Sec0 analyzers (netstandard2.0), so the build reports a broken
// sec0.config.yaml with the loader's words: keep it to plain C# and netstandard2.0 APIs.
using System;
using System.Collections.Generic;
using System.IO;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Sec0.Config.Yaml;

/// <summary>
/// Turns a YAML parser failure into a <see cref="YamlSyntaxError"/> in plain words. YamlDotNet's own messages
/// name only where it gave up ("While parsing a flow sequence, did not find expected ',' or ']'") or nothing at
/// all ("Operation is not valid due to the current state of the object" for an unclosed <c>[</c>), while the
/// mistake is usually earlier: the bracket or quote that was never closed, the key that is indented wrongly.
/// So the text is parsed once more, event by event, keeping the collections that are open when it fails; the
/// parser's message is only used to tell the kinds of failure apart and is never shown.
/// </summary>
internal static class YamlSyntaxErrorDescriber
{
    /// <summary>Describes <paramref name="failure"/>, which parsing <paramref name="yaml"/> threw.</summary>
    /// <param name="yaml">The text that failed to parse.</param>
    /// <param name="failure">What the parser (or the node builder) threw.</param>
    /// <param name="lastRead">The end of the last event read before the failure, for failures without a position.</param>
    /// <param name="maxDepth">The nesting limit: the replay stops there.</param>
    public static YamlSyntaxError Describe(string yaml, Exception failure, Mark lastRead, int maxDepth)
    {
        var yamlFailure = failure as YamlException;
        var failedAt = yamlFailure is not null && yamlFailure.Start.Line > 0 ? yamlFailure.Start : lastRead;
        if (failure.Message.StartsWith(DepthLimitingParser.TooDeepMessagePrefix, StringComparison.Ordinal))
        {
            // Our own message, already plain.
            return new YamlSyntaxError(ToInt(failedAt.Line), ToInt(failedAt.Column), failure.Message);
        }

        var replay = Replay(yaml, maxDepth);
        if (replay.Duplicate is { } duplicate)
        {
            return new YamlSyntaxError(
                duplicate.Line,
                duplicate.Column,
                $"the key \"{duplicate.Key}\" at {At(duplicate.Line, duplicate.Column)} is already defined at {At(duplicate.FirstLine, duplicate.FirstColumn)} of the same mapping; a key may appear only once in a mapping. Remove one of them or merge their values.");
        }

        // The replay fails the same way the load did; its exception carries the position when the original had none.
        var replayFailure = replay.Failure ?? failure;
        if (replayFailure is YamlException { Start.Line: > 0 } positioned)
        {
            failedAt = positioned.Start;
        }
        else if (replay.Failure is not null)
        {
            failedAt = NextToken(yaml, replay.LastEnd);
        }

        var message = replayFailure.Message;
        var failLine = Math.Max(1, ToInt(failedAt.Line));
        var failColumn = Math.Max(1, ToInt(failedAt.Column));
        var open = replay.Open;
        var innermost = open.Count == 0 ? null : open[open.Count - 1];

        if (Contains(message, "quoted scalar") && replayFailure is YamlException quoted)
        {
            return DescribeQuote(yaml, quoted);
        }

        if (Contains(message, "tab"))
        {
            var (tabLine, tabColumn) = FindTabIndentation(yaml, failLine, failColumn);
            var inside = innermost is null ? string.Empty : $", inside the {innermost.Kind} that starts at {At(innermost.Line, innermost.Column)}";
            return new YamlSyntaxError(
                tabLine,
                tabColumn,
                $"the tab at {At(tabLine, tabColumn)} indents the line, but YAML indents with spaces only (parsing failed at {At(failLine, failColumn)}{inside}). Replace the tab with spaces.");
        }

        var flow = InnermostFlow(open);
        if (flow is not null)
        {
            var close = flow.IsMapping ? "}" : "]";
            var what = flow.IsMapping ? "mapping opened with '{'" : "list opened with '['";
            var expected = replayFailure is YamlException { Start.Line: > 0 }
                ? $", where a ',' or '{close}' was expected"
                : ", while reading the value that starts there";
            return new YamlSyntaxError(
                flow.Line,
                flow.Column,
                $"the {what} at {At(flow.Line, flow.Column)} is not closed: parsing failed at {At(failLine, failColumn)}{expected}. Close it with '{close}', or quote the value if the bracket is meant as text.");
        }

        if (Contains(message, "found invalid mapping") || Contains(message, "could not find expected ':'"))
        {
            var value = NextToken(yaml, replay.LastEnd);
            var valueLine = Math.Max(1, ToInt(value.Line));
            var valueColumn = Math.Max(1, ToInt(value.Column));
            var detail = valueLine == failLine
                ? $"holds ': ' at {At(failLine, failColumn)}, which YAML reads as the start of another key on the same line. Quote the value (\"...\") if the ':' is part of it"
                : $"runs on to line {failLine}, where the ':' at {At(failLine, failColumn)} cannot start a key: that line is indented deeper than the other keys of its mapping. Line it up with them, or quote the value if the ':' is part of it";
            return new YamlSyntaxError(valueLine, valueColumn, $"the value that starts at {At(valueLine, valueColumn)} {detail}.");
        }

        if (innermost is not null && innermost.IsMapping && Contains(message, "did not find expected key"))
        {
            // A line indented less than the mapping above it closes that mapping first: name it too, it is usually the one meant.
            var above = replay.JustClosed is { IsMapping: true, IsFlow: false } closed && closed != innermost
                ? $" (the mapping just above it, which starts at {At(closed.Line, closed.Column)}, has its keys in column {closed.Column})"
                : string.Empty;
            return new YamlSyntaxError(
                failLine,
                failColumn,
                $"at {At(failLine, failColumn)} the mapping that starts at {At(innermost.Line, innermost.Column)} expected another key{above}: the line is indented differently from the keys of its mapping, or holds text that is not a 'key: value' pair (a stray ':', say). The keys of one mapping must start in the same column.");
        }

        if (innermost is not null && !innermost.IsMapping && Contains(message, "'-' indicator"))
        {
            return new YamlSyntaxError(
                failLine,
                failColumn,
                $"at {At(failLine, failColumn)} the list that starts at {At(innermost.Line, innermost.Column)} expected another '- ' item: a list's items and a mapping's keys cannot share one indentation level. Indent the key further or make it a list item.");
        }

        var within = innermost is null ? string.Empty : $", inside the {innermost.Kind} that starts at {At(innermost.Line, innermost.Column)}";
        return new YamlSyntaxError(
            failLine,
            failColumn,
            $"the YAML is not valid at {At(failLine, failColumn)}{within}. Check the indentation, quotes, brackets and ':' there.");
    }

    private static YamlSyntaxError DescribeQuote(string yaml, YamlException failure)
    {
        var line = Math.Max(1, ToInt(failure.Start.Line));
        var column = Math.Max(1, ToInt(failure.Start.Column));
        var index = failure.Start.Index;
        var quote = index >= 0 && index < yaml.Length && yaml[(int)index] == '\'' ? "'" : "\"";
        var kind = quote == "'" ? "single-quoted" : "double-quoted";
        var endLine = Math.Max(1, ToInt(failure.End.Line));
        var endColumn = Math.Max(1, ToInt(failure.End.Column));
        var where = Contains(failure.Message, "end of stream")
            ? $"the file ends at {At(endLine, endColumn)} before the closing {quote}"
            : Contains(failure.Message, "indentation")
                ? $"parsing failed at {At(endLine, endColumn)}, where the value would continue on a line indented less than it"
                : $"parsing failed at {At(endLine, endColumn)}";
        return new YamlSyntaxError(line, column, $"the {kind} value that starts at {At(line, column)} is not closed: {where}. Add the closing {quote}.");
    }

    /// <summary>Parses <paramref name="yaml"/> event by event, keeping the open collections and the keys seen in each mapping.</summary>
    private static ReplayResult Replay(string yaml, int maxDepth)
    {
        var result = new ReplayResult();
        var parser = new Parser(new StringReader(yaml));
        try
        {
            while (parser.MoveNext())
            {
                var current = parser.Current;
                if (current is null)
                {
                    continue;
                }

                result.LastEnd = current.End;
                result.JustClosed = null;
                switch (current)
                {
                    case MappingStart or SequenceStart:
                        TakeSlot(result, key: null, current.Start);
                        if (result.Duplicate is not null || result.Open.Count >= maxDepth)
                        {
                            return result;
                        }

                        var flow = current is MappingStart mapping ? mapping.Style == MappingStyle.Flow : ((SequenceStart)current).Style == SequenceStyle.Flow;
                        result.Open.Add(new OpenCollection(current is MappingStart, flow, ToInt(current.Start.Line), ToInt(current.Start.Column)));
                        break;
                    case MappingEnd or SequenceEnd:
                        if (result.Open.Count > 0)
                        {
                            result.JustClosed = result.Open[result.Open.Count - 1];
                            result.Open.RemoveAt(result.Open.Count - 1);
                        }

                        continue;
                    case Scalar scalar:
                        TakeSlot(result, scalar.Value, current.Start);
                        break;
                    case AnchorAlias:
                        TakeSlot(result, key: null, current.Start);
                        break;
                }

                if (result.Duplicate is not null)
                {
                    return result;
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            result.Failure = ex;
        }

        return result;
    }

    /// <summary>A node fills the next slot of the innermost collection: in a mapping, keys and values alternate.</summary>
    private static void TakeSlot(ReplayResult result, string? key, Mark start)
    {
        if (result.Open.Count == 0)
        {
            return;
        }

        var parent = result.Open[result.Open.Count - 1];
        if (!parent.IsMapping)
        {
            return;
        }

        if (parent.ExpectsKey && key is not null)
        {
            var line = ToInt(start.Line);
            var column = ToInt(start.Column);
            if (parent.Keys.TryGetValue(key, out var first))
            {
                result.Duplicate = new DuplicateKey(key, line, column, first.Line, first.Column);
            }
            else
            {
                parent.Keys[key] = (line, column);
            }
        }

        parent.ExpectsKey = !parent.ExpectsKey;
    }

    private static OpenCollection? InnermostFlow(List<OpenCollection> open)
    {
        for (var index = open.Count - 1; index >= 0; index--)
        {
            if (open[index].IsFlow)
            {
                return open[index];
            }
        }

        return null;
    }

    /// <summary>
    /// Where the next token after <paramref name="from"/> starts: past blanks, line breaks, comments and the
    /// indicators <c>:</c>, <c>-</c>, <c>?</c> (before a blank) and <c>,</c>. That is the value the parser was reading when it failed.
    /// </summary>
    private static Mark NextToken(string yaml, Mark from)
    {
        var index = (int)Math.Max(0, Math.Min(from.Index, yaml.Length));
        var line = Math.Max(1, from.Line);
        var column = Math.Max(1, from.Column);
        while (index < yaml.Length)
        {
            var c = yaml[index];
            var next = index + 1 < yaml.Length ? yaml[index + 1] : '\n';
            var isIndicator = c is ':' or '-' or '?' && next is ' ' or '\t' or '\r' or '\n';
            if (c == '#' && (index == 0 || yaml[index - 1] is ' ' or '\t' or '\n'))
            {
                while (index < yaml.Length && yaml[index] != '\n')
                {
                    index++;
                    column++;
                }

                continue;
            }

            if (c == '\n')
            {
                line++;
                column = 1;
            }
            else if (c is ' ' or '\t' or '\r' or ',' || isIndicator)
            {
                column++;
            }
            else
            {
                break;
            }

            index++;
        }

        return new Mark(index, line, column);
    }

    /// <summary>
    /// YamlDotNet reports a tab used as indentation at the start of the enclosing construct; the first indenting
    /// tab at or after that line is what the user has to fix.
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

    private static string At(int line, int column) => $"line {line}, column {column}";

    private static bool Contains(string text, string part) => text.IndexOf(part, StringComparison.Ordinal) >= 0;

    private static int ToInt(long value) => value > int.MaxValue ? int.MaxValue : value < 0 ? 0 : (int)value;

    private sealed class ReplayResult
    {
        public List<OpenCollection> Open { get; } = new List<OpenCollection>();

        public Mark LastEnd { get; set; } = Mark.Empty;

        public Exception? Failure { get; set; }

        /// <summary>The collection closed by the last event read, if that event closed one.</summary>
        public OpenCollection? JustClosed { get; set; }

        public DuplicateKey? Duplicate { get; set; }
    }

    private sealed class OpenCollection
    {
        public OpenCollection(bool isMapping, bool isFlow, int line, int column)
        {
            IsMapping = isMapping;
            IsFlow = isFlow;
            Line = line;
            Column = column;
        }

        public bool IsMapping { get; }

        public bool IsFlow { get; }

        public int Line { get; }

        public int Column { get; }

        public string Kind => IsMapping ? "mapping" : "list";

        /// <summary>In a mapping: whether the next node is a key (keys and values alternate).</summary>
        public bool ExpectsKey { get; set; } = true;

        public Dictionary<string, (int Line, int Column)> Keys { get; } = new Dictionary<string, (int Line, int Column)>(StringComparer.Ordinal);
    }

    private sealed class DuplicateKey
    {
        public DuplicateKey(string key, int line, int column, int firstLine, int firstColumn)
        {
            Key = key;
            Line = line;
            Column = column;
            FirstLine = firstLine;
            FirstColumn = firstColumn;
        }

        public string Key { get; }

        public int Line { get; }

        public int Column { get; }

        public int FirstLine { get; }

        public int FirstColumn { get; }
    }
}

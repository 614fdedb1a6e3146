using System;
using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis.Text;
using Sec0.Config;
using YamlDotNet.RepresentationModel;

namespace Sec0.Analyzers.Config;

/// <summary>
/// Text edits of sec0.config.yaml for the code fixes. They insert or remove whole lines and leave every
/// other byte alone (comments, anchors, quoting, blank lines), which re-serializing YAML would not.
/// Only block-style mappings are edited; flow style (<c>{ ... }</c>) gets no edit.
/// </summary>
internal static class ConfigTextEdits
{
    private const int DefaultIndentStep = 2;

    /// <summary>
    /// The changes that add an <c>app.hops</c> entry for <paramref name="key"/> of <paramref name="type"/>
    /// with its required fields as empty placeholders, after the last entry of the block; an empty list
    /// when the file's shape does not allow a text edit.
    /// </summary>
    public static IReadOnlyList<TextChange> AddHopEntry(ConfigDocument document, string key, HopType type)
    {
        var text = document.Text;
        if (!document.IsValidYaml || document.App is not { } app || app.Style == YamlDotNet.Core.Events.MappingStyle.Flow || app.Children.Count == 0)
        {
            return Array.Empty<TextChange>();
        }

        var newline = NewLine(text);
        var appFields = ConfigDocumentParser.Fields(app);
        var hopsField = ConfigDocumentParser.Find(appFields, "hops");
        var changes = new List<TextChange>();
        if (hopsField is { } hops && ReferenceEquals(Parent(app, hops.KeyNode), app))
        {
            var hopsKeyColumn = Column(hops.KeyNode);
            if (hops.Value is YamlMappingNode { Children.Count: > 0 } entries)
            {
                if (entries.Style == YamlDotNet.Core.Events.MappingStyle.Flow)
                {
                    return Array.Empty<TextChange>();
                }

                var lastKey = LastKey(entries);
                var entryColumn = Column(lastKey);
                var step = IndentStep(text, entries, entryColumn);
                var lastLine = LastLineOf(text, Line(lastKey), entryColumn);
                changes.Add(InsertAfterLine(text, lastLine, Entry(key, type, entryColumn, step, newline), newline));
            }
            else if (ConfigDocumentParser.IsNull(hops.Value) || hops.Value is YamlMappingNode { Style: YamlDotNet.Core.Events.MappingStyle.Flow, Children.Count: 0 })
            {
                // "hops:", "hops: ~" or "hops: {}": drop the written empty value, then add the block below.
                if (hops.Value.End.Index > hops.Value.Start.Index)
                {
                    var (valueSpan, _) = YamlPositions.Of(text, hops.Value);
                    changes.Add(new TextChange(valueSpan, string.Empty));
                }

                var step = IndentStep(text, app, Column(app.Children[0].Key));
                changes.Add(InsertAfterLine(text, LastLineOf(text, Line(hops.KeyNode), hopsKeyColumn), Entry(key, type, hopsKeyColumn + step, step, newline), newline));
            }
            else
            {
                return Array.Empty<TextChange>();
            }
        }
        else if (hopsField is null)
        {
            // No app.hops yet: a new block after the last key of app.
            var lastAppKey = LastKey(app);
            var column = Column(lastAppKey);
            var step = IndentStep(text, app, column);
            var block = new string(' ', column) + "hops:" + newline + Entry(key, type, column + step, step, newline);
            changes.Add(InsertAfterLine(text, LastLineOf(text, Line(lastAppKey), column), block, newline));
        }
        else
        {
            return Array.Empty<TextChange>();
        }

        return changes;
    }

    /// <summary>The change that removes the lines of a block-style <c>app.hops</c> entry, or null.</summary>
    public static TextChange? RemoveHopEntry(ConfigDocument document, string key)
    {
        var entry = document.FindHop(key);
        if (entry is null || !entry.IsBlockEntry)
        {
            return null;
        }

        var text = document.Text;
        var firstLine = entry.KeyLineSpan.Start.Line;
        var keyColumn = entry.KeyLineSpan.Start.Character;

        // The key must start its line ("  Key: ..."), or the lines hold more than this entry.
        if (text.ToString(TextSpan.FromBounds(text.Lines[firstLine].Start, entry.KeySpan.Start)).Trim().Length != 0)
        {
            return null;
        }

        var lastLine = LastLineOf(text, firstLine, keyColumn);
        return new TextChange(TextSpan.FromBounds(text.Lines[firstLine].Start, text.Lines[lastLine].EndIncludingLineBreak), string.Empty);
    }

    /// <summary>The text of a new entry: its key line and one line per required field.</summary>
    public static string Entry(string key, HopType type, int column, int step, string newline)
    {
        var indent = new string(' ', column);
        var fieldIndent = new string(' ', column + step);
        var builder = new StringBuilder();
        builder.Append(indent).Append(QuoteKey(key)).Append(':').Append(newline);
        builder.Append(fieldIndent).Append(HopRequirements.TypeField).Append(": ").Append(HopRequirements.GetYamlName(type)).Append(newline);
        foreach (var field in HopRequirements.GetRequiredFields(type))
        {
            builder.Append(fieldIndent).Append(field).Append(": \"\"");
            var fallback = HopRequirements.GetFallbackPath(type, field);
            builder.Append(fallback is null ? "  # required" : "  # optional: falls back to " + fallback);
            builder.Append(newline);
        }

        return builder.ToString();
    }

    /// <summary>
    /// The last line of the block that starts with a key at <paramref name="keyColumn"/> on
    /// <paramref name="keyLine"/>: every following line that is blank or indented deeper belongs to it;
    /// trailing blank lines and comments at the key's own indentation or less do not.
    /// </summary>
    public static int LastLineOf(SourceText text, int keyLine, int keyColumn)
    {
        var last = keyLine;
        for (var index = keyLine + 1; index < text.Lines.Count; index++)
        {
            var indent = Indentation(text, index);
            if (indent < 0)
            {
                continue;
            }

            if (indent <= keyColumn)
            {
                break;
            }

            last = index;
        }

        return last;
    }

    /// <summary>Leading spaces of a line; -1 for a blank line.</summary>
    private static int Indentation(SourceText text, int lineIndex)
    {
        var line = text.Lines[lineIndex];
        for (var position = line.Start; position < line.End; position++)
        {
            var c = text[position];
            if (c != ' ' && c != '\t')
            {
                return position - line.Start;
            }
        }

        return -1;
    }

    private static TextChange InsertAfterLine(SourceText text, int lineIndex, string insertion, string newline)
    {
        var line = text.Lines[lineIndex];

        // The file's last line may have no line break.
        if (line.EndIncludingLineBreak == line.End)
        {
            return new TextChange(new TextSpan(line.End, 0), newline + insertion.Substring(0, insertion.Length - newline.Length));
        }

        return new TextChange(new TextSpan(line.EndIncludingLineBreak, 0), insertion);
    }

    /// <summary>How far the children of a mapping's entries are indented (the file's own step, else 2).</summary>
    private static int IndentStep(SourceText text, YamlMappingNode mapping, int keyColumn)
    {
        foreach (var child in mapping.Children)
        {
            if (child.Value is YamlMappingNode { Style: not YamlDotNet.Core.Events.MappingStyle.Flow, Children.Count: > 0 } nested)
            {
                var step = Column(nested.Children[0].Key) - keyColumn;
                if (step > 0)
                {
                    return step;
                }
            }
        }

        return DefaultIndentStep;
    }

    private static YamlNode LastKey(YamlMappingNode mapping)
    {
        YamlNode last = mapping.Children[0].Key;
        foreach (var child in mapping.Children)
        {
            if (child.Key.Start.Index > last.Start.Index)
            {
                last = child.Key;
            }
        }

        return last;
    }

    private static YamlMappingNode? Parent(YamlMappingNode mapping, YamlNode key)
    {
        foreach (var child in mapping.Children)
        {
            if (ReferenceEquals(child.Key, key))
            {
                return mapping;
            }
        }

        return null;
    }

    private static int Line(YamlNode node) => (int)node.Start.Line - 1;

    private static int Column(YamlNode node) => (int)node.Start.Column - 1;

    private static string NewLine(SourceText text)
    {
        var first = text.Lines.Count > 0 ? text.Lines[0] : default;
        return first.EndIncludingLineBreak - first.End == 2 ? "\r\n" : "\n";
    }

    /// <summary>A key is written plain when YAML reads it back unchanged, else double-quoted.</summary>
    private static string QuoteKey(string key)
    {
        var plain = key.Length > 0 && (char.IsLetter(key[0]) || key[0] == '_');
        foreach (var c in key)
        {
            plain &= char.IsLetterOrDigit(c) || c == '_' || c == '.' || c == '-' || c == '/';
        }

        if (plain)
        {
            return key;
        }

        return "\"" + key.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }
}

using Microsoft.CodeAnalysis.Text;

namespace Sec0.Analyzers.Config;

/// <summary>One <c>app.hops</c> entry as written: its key, where the key is, and its <c>type</c>.</summary>
internal sealed class ConfigHopEntry
{
    public ConfigHopEntry(string key, TextSpan keySpan, LinePositionSpan keyLineSpan, string? typeName, HopType? type, bool isBlockEntry)
    {
        Key = key;
        KeySpan = keySpan;
        KeyLineSpan = keyLineSpan;
        TypeName = typeName;
        Type = type;
        IsBlockEntry = isBlockEntry;
    }

    public string Key { get; }

    public TextSpan KeySpan { get; }

    public LinePositionSpan KeyLineSpan { get; }

    /// <summary>The <c>type</c> value as written, or null when there is none.</summary>
    public string? TypeName { get; }

    /// <summary>The parsed <c>type</c>, or null when it is missing or unknown.</summary>
    public HopType? Type { get; }

    /// <summary>
    /// True when the entry is a key of the block-style <c>app.hops</c> mapping itself (not flow style,
    /// not merged in through <c>&lt;&lt;</c>): only then can its lines be edited as text.
    /// </summary>
    public bool IsBlockEntry { get; }
}

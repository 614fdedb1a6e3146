using System.Diagnostics.CodeAnalysis;

namespace Sec0.Policy;

/// <summary>
/// One <c>tools.allowlist</c> entry: <c>mcp://server/tool@version</c>, where each of server, tool and version
/// is a literal, <c>*</c> (anything) or a literal followed by <c>*</c> (a prefix within that segment only).
/// The <c>mcp://</c> prefix and the <c>@version</c> part are optional; no version part means any version.
/// The pattern <c>*</c> alone matches every tool. Matching is ordinal (case-sensitive), like MCP tool names.
/// </summary>
public sealed class ToolRefPattern : IEquatable<ToolRefPattern>
{
    /// <summary>The scheme prefix of a tool ref.</summary>
    public const string Scheme = "mcp://";

    private ToolRefPattern(string text, SegmentPattern server, SegmentPattern tool, SegmentPattern version, bool hasVersion)
    {
        Text = text;
        Server = server;
        Tool = tool;
        Version = version;
        HasVersion = hasVersion;
    }

    /// <summary>The pattern as written (trimmed).</summary>
    public string Text { get; }

    /// <summary>The server segment.</summary>
    internal SegmentPattern Server { get; }

    /// <summary>The tool segment.</summary>
    internal SegmentPattern Tool { get; }

    /// <summary>The version segment (<c>*</c> when the pattern has no version part).</summary>
    internal SegmentPattern Version { get; }

    /// <summary>True when the pattern names a version part (<c>@...</c>).</summary>
    public bool HasVersion { get; }

    /// <summary>True when the pattern matches every tool ref.</summary>
    public bool MatchesEverything => Server.IsAny && Tool.IsAny && Version.IsAny;

    /// <summary>Parses a pattern.</summary>
    /// <exception cref="FormatException">The text is not a valid pattern; the message says why.</exception>
    public static ToolRefPattern Parse(string text) =>
        TryParse(text, out var pattern, out var error) ? pattern : throw new FormatException(error);

    /// <summary>Parses a pattern; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out ToolRefPattern? pattern, [NotNullWhen(false)] out string? error)
    {
        pattern = null;
        var trimmed = text?.Trim() ?? string.Empty;
        if (trimmed.Length == 0)
        {
            error = "a tool pattern must not be empty";
            return false;
        }

        if (trimmed == "*")
        {
            pattern = new ToolRefPattern(trimmed, SegmentPattern.Any, SegmentPattern.Any, SegmentPattern.Any, hasVersion: false);
            error = null;
            return true;
        }

        foreach (var c in trimmed)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                error = $"\"{trimmed}\" contains whitespace; expected mcp://server/tool@version";
                return false;
            }
        }

        var body = trimmed.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? trimmed[Scheme.Length..] : trimmed;
        if (body.Contains("://", StringComparison.Ordinal))
        {
            error = $"\"{trimmed}\" is not an mcp:// tool ref; expected mcp://server/tool@version";
            return false;
        }

        var slash = body.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            error = $"\"{trimmed}\" has no tool part; expected mcp://server/tool@version (use mcp://{body}/* for every tool of a server)";
            return false;
        }

        var serverText = body[..slash];
        var rest = body[(slash + 1)..];
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        var toolText = at < 0 ? rest : rest[..at];
        var versionText = at < 0 ? "*" : rest[(at + 1)..];

        if (!TryParseSegment(trimmed, "server", serverText, out var server, out error)
            || !TryParseSegment(trimmed, "tool", toolText, out var tool, out error)
            || !TryParseSegment(trimmed, "version", versionText, out var version, out error))
        {
            return false;
        }

        pattern = new ToolRefPattern(trimmed, server, tool, version, at >= 0);
        return true;
    }

    /// <summary>True when the tool ref <c>mcp://<paramref name="server"/>/<paramref name="tool"/>@<paramref name="version"/></c> matches.</summary>
    /// <param name="server">The server name.</param>
    /// <param name="tool">The tool name.</param>
    /// <param name="version">The version, or null when the call names none (only a <c>*</c> version matches it).</param>
    public bool IsMatch(string server, string tool, string? version) =>
        Server.IsMatch(server) && Tool.IsMatch(tool) && Version.IsMatch(version);

    /// <inheritdoc/>
    public bool Equals(ToolRefPattern? other) =>
        other is not null && Server.Equals(other.Server) && Tool.Equals(other.Tool) && Version.Equals(other.Version);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ToolRefPattern);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Server, Tool, Version);

    /// <summary>The pattern as written.</summary>
    public override string ToString() => Text;

    private static bool TryParseSegment(string whole, string name, string text, out SegmentPattern segment, [NotNullWhen(false)] out string? error)
    {
        segment = SegmentPattern.Any;
        if (text.Length == 0)
        {
            error = $"\"{whole}\" has an empty {name}; expected mcp://server/tool@version";
            return false;
        }

        if (text.IndexOfAny(['/', '@']) >= 0)
        {
            error = $"\"{whole}\" has a {name} containing '/' or '@'; expected mcp://server/tool@version";
            return false;
        }

        var star = text.IndexOf('*', StringComparison.Ordinal);
        if (star >= 0 && star != text.Length - 1)
        {
            error = $"\"{whole}\" has a '*' inside its {name}; a '*' may only end a segment (server, tool or version)";
            return false;
        }

        segment = text == "*" ? SegmentPattern.Any
            : star >= 0 ? new SegmentPattern(text[..^1], SegmentKind.Prefix)
            : new SegmentPattern(text, SegmentKind.Exact);
        error = null;
        return true;
    }

    /// <summary>How one segment matches.</summary>
    internal enum SegmentKind
    {
        /// <summary><c>*</c>: anything, including no version.</summary>
        Any,
        /// <summary>A literal: equal text only.</summary>
        Exact,
        /// <summary><c>text*</c>: text that starts with the literal.</summary>
        Prefix,
    }

    /// <summary>One compiled segment: a literal, a prefix, or anything.</summary>
    internal readonly record struct SegmentPattern(string Literal, SegmentKind Kind)
    {
        public static SegmentPattern Any { get; } = new(string.Empty, SegmentKind.Any);

        public bool IsAny => Kind == SegmentKind.Any;

        public bool IsMatch(string? value) => Kind switch
        {
            SegmentKind.Any => true,
            SegmentKind.Exact => value is not null && string.Equals(value, Literal, StringComparison.Ordinal),
            _ => value is not null && value.StartsWith(Literal, StringComparison.Ordinal),
        };
    }
}

namespace Sec0.Policy;

/// <summary>
/// <c>tools.allowlist</c> compiled for lookups: patterns with a literal server and tool go into a
/// dictionary keyed by server and tool (a 100-entry allowlist of exact refs costs two hash lookups),
/// the others are tried in order. This is the only tool matcher in the SDK: hops, the MCP middleware and
/// the gateway all use it.
/// </summary>
public sealed class ToolAllowlist
{
    private readonly bool _matchesEverything;
    private readonly Dictionary<string, Dictionary<string, ToolRefPattern.SegmentPattern[]>> _exact;
    private readonly ToolRefPattern[] _others;

    /// <summary>Compiles an allowlist from parsed patterns.</summary>
    public ToolAllowlist(IEnumerable<ToolRefPattern> patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        Patterns = patterns.ToArray();
        var exact = new Dictionary<string, Dictionary<string, List<ToolRefPattern.SegmentPattern>>>(StringComparer.Ordinal);
        var others = new List<ToolRefPattern>();
        foreach (var pattern in Patterns)
        {
            ArgumentNullException.ThrowIfNull(pattern, nameof(patterns));
            _matchesEverything |= pattern.MatchesEverything;
            if (pattern.Server.Kind == ToolRefPattern.SegmentKind.Exact && pattern.Tool.Kind == ToolRefPattern.SegmentKind.Exact)
            {
                if (!exact.TryGetValue(pattern.Server.Literal, out var tools))
                {
                    exact[pattern.Server.Literal] = tools = new(StringComparer.Ordinal);
                }

                if (!tools.TryGetValue(pattern.Tool.Literal, out var versions))
                {
                    tools[pattern.Tool.Literal] = versions = [];
                }

                versions.Add(pattern.Version);
            }
            else
            {
                others.Add(pattern);
            }
        }

        _exact = exact.ToDictionary(
            pair => pair.Key,
            pair => pair.Value.ToDictionary(tool => tool.Key, tool => tool.Value.ToArray(), StringComparer.Ordinal),
            StringComparer.Ordinal);
        _others = [.. others];
    }

    /// <summary>Parses and compiles patterns.</summary>
    /// <exception cref="FormatException">A pattern is not valid.</exception>
    public static ToolAllowlist Parse(params IEnumerable<string> patterns) => new(patterns.Select(ToolRefPattern.Parse));

    /// <summary>The patterns, in the order given.</summary>
    public IReadOnlyList<ToolRefPattern> Patterns { get; }

    /// <summary>True when some pattern matches every tool (<c>*</c>).</summary>
    public bool AllowsEverything => _matchesEverything;

    /// <summary>True when the tool ref matches a pattern. Does not allocate.</summary>
    /// <param name="server">The server name.</param>
    /// <param name="tool">The tool name.</param>
    /// <param name="version">The version, or null when the call names none.</param>
    public bool IsAllowed(string server, string tool, string? version)
    {
        if (_matchesEverything)
        {
            return true;
        }

        if (_exact.TryGetValue(server, out var tools) && tools.TryGetValue(tool, out var versions))
        {
            foreach (var versionPattern in versions)
            {
                if (versionPattern.IsMatch(version))
                {
                    return true;
                }
            }
        }

        foreach (var pattern in _others)
        {
            if (pattern.IsMatch(server, tool, version))
            {
                return true;
            }
        }

        return false;
    }
}

namespace Sec0.Policy;

/// <summary>
/// <c>security.allow_versions</c> compiled for lookups: exact server/tool keys in nested dictionaries (no
/// composite key to allocate), pattern keys tried in order. A tool that matches no key is not restricted;
/// a tool that matches keys must ask for a version one of them lists.
/// </summary>
internal sealed class AllowedVersionTable
{
    private readonly Dictionary<string, Dictionary<string, string[]>> _exact = new(StringComparer.Ordinal);
    private readonly (ToolRefPattern Pattern, string[] Versions)[] _patterns;

    public AllowedVersionTable(IReadOnlyDictionary<ToolRefPattern, IReadOnlyList<string>> allowVersions)
    {
        var patterns = new List<(ToolRefPattern, string[])>();
        foreach (var (pattern, versions) in allowVersions)
        {
            if (pattern.Server.Kind == ToolRefPattern.SegmentKind.Exact && pattern.Tool.Kind == ToolRefPattern.SegmentKind.Exact)
            {
                if (!_exact.TryGetValue(pattern.Server.Literal, out var tools))
                {
                    _exact[pattern.Server.Literal] = tools = new Dictionary<string, string[]>(StringComparer.Ordinal);
                }

                tools[pattern.Tool.Literal] = [.. versions];
            }
            else
            {
                patterns.Add((pattern, [.. versions]));
            }
        }

        _patterns = [.. patterns];
    }

    /// <summary>False when some key matches the tool and none of the matching keys lists <paramref name="version"/>.</summary>
    public bool IsAllowed(string server, string tool, string? version)
    {
        var restricted = false;
        if (_exact.TryGetValue(server, out var tools) && tools.TryGetValue(tool, out var versions))
        {
            restricted = true;
            if (version is not null && Array.IndexOf(versions, version) >= 0)
            {
                return true;
            }
        }

        foreach (var (pattern, patternVersions) in _patterns)
        {
            if (pattern.Server.IsMatch(server) && pattern.Tool.IsMatch(tool))
            {
                restricted = true;
                if (version is not null && Array.IndexOf(patternVersions, version) >= 0)
                {
                    return true;
                }
            }
        }

        return !restricted;
    }
}

namespace Sec0.Policy;

/// <summary>
/// <c>security.egress_allowlist</c>: the URLs a call may reach, compared by parsed scheme, host, port and
/// path prefix, never by raw string prefix. <c>https://api.ok.com</c> admits <c>https://API.ok.com./x</c>
/// but not <c>https://api.ok.com.evil.io</c>, <c>https://api.ok.com@evil.io</c> or <c>http://api.ok.com</c>.
/// See docs/policy.md for the rules.
/// </summary>
public sealed class EgressAllowlist
{
    private readonly EgressRule[] _rules;

    /// <summary>Builds an allowlist from parsed entries.</summary>
    public EgressAllowlist(IEnumerable<EgressRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _rules = rules.ToArray();
        Rules = Array.AsReadOnly(_rules);
    }

    /// <summary>Parses entries.</summary>
    /// <exception cref="FormatException">An entry is not valid; the message says why.</exception>
    public static EgressAllowlist Parse(params IEnumerable<string> entries) =>
        new(entries.Select(entry => EgressRule.TryParse(entry, out var rule, out var error) ? rule : throw new FormatException(error)));

    /// <summary>The entries, in the order given.</summary>
    public IReadOnlyList<EgressRule> Rules { get; }

    /// <summary>
    /// True when <paramref name="url"/> is an absolute URL that some entry admits. Anything that does not
    /// parse is not allowed. Parses the URL, so it allocates.
    /// </summary>
    public bool IsAllowed(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || _rules.Length == 0 || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            return false;
        }

        return IsAllowed(uri);
    }

    /// <summary>True when the absolute <paramref name="uri"/> is admitted by some entry.</summary>
    public bool IsAllowed(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri || uri.Host.Length == 0 || !EgressRule.TryNormalizeHost(uri, out var host))
        {
            return false;
        }

        var scheme = uri.Scheme.ToLowerInvariant();
        var path = UrlPathNormalizer.Normalize(uri);
        foreach (var rule in _rules)
        {
            if (rule.IsMatch(scheme, host, uri.Port, path))
            {
                return true;
            }
        }

        return false;
    }
}

using System.Diagnostics.CodeAnalysis;

namespace Sec0.Policy;

/// <summary>
/// One <c>security.egress_allowlist</c> entry, parsed: scheme, host (or <c>*.</c> suffix), port and an
/// optional path prefix. Parsing and matching both go through <see cref="Uri"/>, the parser
/// <c>HttpClient</c> uses, so the host compared is the host the call would connect to.
/// </summary>
public sealed class EgressRule
{
    /// <summary>Stands in for the <c>*</c> of a <c>*.</c> host wildcard while the entry goes through <see cref="Uri"/>.</summary>
    private const string WildcardLabel = "sec0-wildcard-label";

    /// <summary>The path prefix as escaped text, compared with the escaped reading of a request path.</summary>
    private readonly string _rawPathPrefix;

    /// <summary>Why a '*' anywhere else is refused, for the messages: Sec0's TypeScript SDK accepts it with a defect.</summary>
    private const string WildcardDiffersFromTypeScript =
        ". This differs from Sec0's TypeScript SDK on purpose: it matches a '*' against the whole URL text, so \"https://api.ok.com*\" also admits https://api.ok.com.evil.io; see docs/migrating-from-typescript.md";

    private EgressRule(string text, string scheme, string host, bool hostIsSuffix, int port, string pathPrefix, string rawPathPrefix, bool isHostOnly = false)
    {
        IsHostOnly = isHostOnly;
        _rawPathPrefix = rawPathPrefix;
        Text = text;
        Scheme = scheme;
        Host = host;
        HostIsSuffix = hostIsSuffix;
        Port = port;
        PathPrefix = pathPrefix;
    }

    /// <summary>The entry as written (trimmed).</summary>
    public string Text { get; }

    /// <summary>The scheme, lowercase.</summary>
    public string Scheme { get; }

    /// <summary>The host in ASCII (punycode), lowercase, without a trailing dot; for a wildcard, the part after <c>*.</c>.</summary>
    public string Host { get; }

    /// <summary>True for a <c>*.example.com</c> entry: any host below the suffix matches (the suffix itself does not).</summary>
    public bool HostIsSuffix { get; }

    /// <summary>The port: the explicit one, or the scheme's default (-1 for a scheme without one).</summary>
    public int Port { get; }

    /// <summary>The normalized path prefix without a trailing slash; empty when every path matches.</summary>
    public string PathPrefix { get; }

    /// <summary>
    /// True for an entry written as a bare host (<c>api.example.com</c> or <c>*.example.com</c>, as Sec0's TypeScript
    /// schema allows): it admits that host over https on port 443 and over http on port 80, any path.
    /// <see cref="Scheme"/> and <see cref="Port"/> then describe the https half.
    /// </summary>
    public bool IsHostOnly { get; }

    /// <summary>Parses an entry; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out EgressRule? rule, [NotNullWhen(false)] out string? error)
    {
        rule = null;
        var trimmed = text?.Trim() ?? string.Empty;
        if (trimmed.Length == 0)
        {
            error = "an egress entry must not be empty";
            return false;
        }

        foreach (var c in trimmed)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                error = $"\"{trimmed}\" contains whitespace";
                return false;
            }
        }

        var schemeEnd = trimmed.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            return TryParseHostOnly(trimmed, out rule, out error);
        }

        var authorityStart = schemeEnd + 3;
        var authorityEnd = trimmed.IndexOfAny(['/', '?', '#', '\\'], authorityStart);
        if (authorityEnd < 0)
        {
            authorityEnd = trimmed.Length;
        }

        var authority = trimmed[authorityStart..authorityEnd];
        var path = trimmed[authorityEnd..];
        if (authority.Contains('@', StringComparison.Ordinal))
        {
            error = $"\"{trimmed}\" has user information (before '@'); an entry names only scheme, host, port and path";
            return false;
        }

        if (path.IndexOfAny(['?', '#']) >= 0)
        {
            error = $"\"{trimmed}\" has a query or fragment; an entry names only scheme, host, port and path";
            return false;
        }

        var hostIsSuffix = authority.StartsWith("*.", StringComparison.Ordinal);
        if (hostIsSuffix)
        {
            authority = WildcardLabel + authority[1..];
        }

        var pathWildcard = path.EndsWith("/*", StringComparison.Ordinal);
        if (pathWildcard)
        {
            path = path[..^1];
        }

        if (authority.Contains('*', StringComparison.Ordinal) || path.Contains('*', StringComparison.Ordinal))
        {
            error = $"\"{trimmed}\" has a '*' that is not allowed; a '*' may only start the host as \"*.\" or end the path as \"/*\"{WildcardDiffersFromTypeScript}";
            return false;
        }

        if (!Uri.TryCreate(trimmed[..authorityStart] + authority + path, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            error = $"\"{trimmed}\" is not a valid URL";
            return false;
        }

        if (!TryNormalizeHost(uri, out var host))
        {
            error = $"\"{trimmed}\" has a host that is not a valid domain name";
            return false;
        }

        if (hostIsSuffix)
        {
            if (!host.StartsWith(WildcardLabel + ".", StringComparison.Ordinal) || uri.HostNameType != UriHostNameType.Dns)
            {
                error = $"\"{trimmed}\" has a '*.' wildcard that is not followed by a domain name";
                return false;
            }

            host = host[(WildcardLabel.Length + 1)..];
        }

        if (UrlPathNormalizer.HasEncodedStructure(uri))
        {
            error = $"\"{trimmed}\" has a path with percent-encoded separators, dots or percent signs; write the path plainly";
            return false;
        }

        var prefixes = UrlPathNormalizer.Normalize(uri);
        rule = new EgressRule(
            trimmed,
            uri.Scheme.ToLowerInvariant(),
            host,
            hostIsSuffix,
            uri.Port,
            prefixes.Decoded == "/" ? string.Empty : prefixes.Decoded,
            prefixes.Raw == "/" ? string.Empty : prefixes.Raw);
        error = null;
        return true;
    }

    /// <summary>True when a parsed request URL matches this entry.</summary>
    internal bool IsMatch(string scheme, string host, int port, in UrlPathNormalizer.NormalizedPath path)
    {
        var schemeMatches = IsHostOnly
            ? (scheme == "https" && port == 443) || (scheme == "http" && port == 80)
            : string.Equals(scheme, Scheme, StringComparison.Ordinal) && port == Port;
        if (!schemeMatches)
        {
            return false;
        }

        var hostMatches = HostIsSuffix
            ? host.Length > Host.Length + 1 && host.EndsWith(Host, StringComparison.Ordinal) && host[host.Length - Host.Length - 1] == '.'
            : string.Equals(host, Host, StringComparison.Ordinal);
        if (!hostMatches)
        {
            return false;
        }

        // Both readings of the path (separators as the server may or may not decode them) must be inside the prefix.
        return IsUnderPrefix(path.Raw, _rawPathPrefix) && IsUnderPrefix(path.Decoded, PathPrefix);
    }

    /// <summary>The entry as written.</summary>
    public override string ToString() => Text;

    /// <summary>
    /// A bare host (<c>api.example.com</c>, <c>*.example.com</c>): parsed as the https URL of that host, through the
    /// same rules, and marked to admit http on port 80 too. Anything with a port, path, user or query needs a scheme.
    /// </summary>
    private static bool TryParseHostOnly(string trimmed, [NotNullWhen(true)] out EgressRule? rule, [NotNullWhen(false)] out string? error)
    {
        rule = null;
        var expected = "; expected a host such as api.example.com (https and http on their default ports) or a URL such as https://api.example.com:8443 or https://*.example.com/v1/*";
        if (trimmed.IndexOfAny(['/', '\\', ':', '@', '?', '#']) >= 0)
        {
            error = $"\"{trimmed}\" has no scheme{expected}";
            return false;
        }

        if (!TryParse(Uri.UriSchemeHttps + "://" + trimmed, out var https, out _))
        {
            error = trimmed.Contains('*', StringComparison.Ordinal)
                ? $"\"{trimmed}\" has a '*' that is not allowed; a '*' may only start the host as \"*.\"{WildcardDiffersFromTypeScript}"
                : $"\"{trimmed}\" is not a valid host name{expected}";
            return false;
        }

        rule = new EgressRule(trimmed, https.Scheme, https.Host, https.HostIsSuffix, https.Port, string.Empty, string.Empty, isHostOnly: true);
        error = null;
        return true;
    }

    /// <summary>The host the request would reach: IDN to punycode, lowercase, without a trailing dot.</summary>
    internal static bool TryNormalizeHost(Uri uri, out string host)
    {
        host = uri.Host;
        if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6)
        {
            host = host.ToLowerInvariant();
            return true;
        }

        if (host.EndsWith('.'))
        {
            host = host[..^1];
        }

        if (host.Length == 0)
        {
            return false;
        }

        try
        {
            host = UrlPathNormalizer.Idn.GetAscii(host).ToLowerInvariant();
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static bool IsUnderPrefix(string path, string prefix) =>
        prefix.Length == 0
        || (path.StartsWith(prefix, StringComparison.Ordinal) && (path.Length == prefix.Length || path[prefix.Length] == '/'));
}

using Microsoft.Extensions.Logging;

namespace Sec0.Gateway.Upstreams;

/// <summary>Creates the <see cref="IGatewayUpstream"/> of a configured target, after checking the target.</summary>
public static class GatewayUpstreamFactory
{
    /// <summary>The largest stdio pool: each member is a process.</summary>
    public const int MaxPoolSize = 64;

    /// <summary>
    /// Creates the upstream for <c>gateway.targets.&lt;<paramref name="server"/>&gt;</c>: <see cref="McpHttpUpstream"/>,
    /// <see cref="McpStdioUpstream"/> or <see cref="LegacyHttpUpstream"/> by <see cref="GatewayTarget.Kind"/>.
    /// Nothing connects or starts yet.
    /// </summary>
    /// <exception cref="Sec0GatewayOptionsException">The target is incomplete or wrong; the message says how to fix it.</exception>
    public static IGatewayUpstream Create(string server, GatewayTarget target, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(target);
        var at = $"gateway.targets.{server}";
        switch (target.Kind)
        {
            case GatewayTargetKind.McpHttp:
                return new McpHttpUpstream(server, RequireHttpUrl(at, target, "the MCP endpoint, e.g. http://127.0.0.1:3001/mcp"), loggerFactory);
            case GatewayTargetKind.LegacyHttp:
                return new LegacyHttpUpstream(server, RequireHttpUrl(at, target, "the tool server's base URL, e.g. http://127.0.0.1:4000"));
            case GatewayTargetKind.McpStdio:
                if (string.IsNullOrWhiteSpace(target.Command))
                {
                    throw new Sec0GatewayOptionsException($"{at}: a stdio target needs a command: set {at}.stdio to the program that starts the MCP server (e.g. dotnet), and its arguments in {at}.args.");
                }

                if (target.PoolSize is < 1 or > MaxPoolSize)
                {
                    throw new Sec0GatewayOptionsException($"{at}.pool is {target.PoolSize}: set it between 1 and {MaxPoolSize} (the number of server processes run at once).");
                }

                if (target.WorkingDirectory is { } directory && !Directory.Exists(directory))
                {
                    throw new Sec0GatewayOptionsException($"{at}.cwd '{directory}' does not exist: create it, or set {at}.cwd to an existing folder.");
                }

                return new McpStdioUpstream(server, target, loggerFactory);
            default:
                throw new Sec0GatewayOptionsException($"is of an unknown kind ({target.Kind}): set exactly one of mcp, stdio or http under {at}.");
        }
    }

    private static Uri RequireHttpUrl(string at, GatewayTarget target, string what)
    {
        if (target.Url is not { IsAbsoluteUri: true } url || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            // The URL itself is not quoted: it may carry credentials.
            throw new Sec0GatewayOptionsException($"{at}: a {target.Kind} target needs an absolute http:// or https:// URL: set {at}.{(target.Kind == GatewayTargetKind.McpHttp ? "mcp" : "http")} to {what}.");
        }

        if (!string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment))
        {
            if (target.Kind == GatewayTargetKind.LegacyHttp)
            {
                throw new Sec0GatewayOptionsException($"{at}.http must not have a query or fragment (/invoke/<tool@version> is appended to it): set it to the bare base URL.");
            }
        }

        return url;
    }
}

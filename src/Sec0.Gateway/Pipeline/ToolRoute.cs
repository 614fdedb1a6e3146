using System.Buffers;

namespace Sec0.Gateway.Pipeline;

/// <summary>
/// The tool a request names: <c>/mcp/{server}/{tool}@{version}</c>. Each segment is checked against a strict
/// alphabet before anything uses it, so no traversal, encoded separator or control character gets further.
/// </summary>
internal readonly record struct ToolRoute(string Server, string Tool, string Version)
{
    public const string Prefix = "/mcp/";
    private const int MaxSegment = 128;

    // Server names and tool names as MCP uses them; versions also allow '+' (semver build metadata).
    private static readonly SearchValues<char> s_name = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");
    private static readonly SearchValues<char> s_version = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-+");

    /// <summary><c>tool@version</c>.</summary>
    public string ToolAtVersion => Tool + "@" + Version;

    /// <summary><c>mcp://server/tool@version</c>.</summary>
    public string ToolRef => "mcp://" + Server + "/" + Tool + "@" + Version;

    /// <summary>
    /// Parses the raw request target's path (still percent-encoded, so an encoded <c>/</c> cannot pass for a
    /// separator). Returns null with <paramref name="error"/> null when the path is not under <c>/mcp/</c> at all.
    /// </summary>
    public static ToolRoute? Parse(string rawPath, out GatewayError? error)
    {
        error = null;

        // HTTP/1.1 allows the absolute form (POST http://host/mcp/...): only its path names the tool.
        if (rawPath.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || rawPath.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            var pathStart = rawPath.IndexOf('/', rawPath.IndexOf("://", StringComparison.Ordinal) + 3);
            rawPath = pathStart < 0 ? "/" : rawPath[pathStart..];
        }

        if (!rawPath.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = rawPath.AsSpan(Prefix.Length);
        var query = rest.IndexOf('?');
        if (query >= 0)
        {
            rest = rest[..query];
        }

        var slash = rest.IndexOf('/');
        if (slash < 0 || rest[(slash + 1)..].Contains('/'))
        {
            error = GatewayError.NotFound(rawPath);
            return null;
        }

        var server = rest[..slash];
        var toolAtVersion = rest[(slash + 1)..];
        var at = toolAtVersion.LastIndexOf('@');
        if (at < 0)
        {
            error = GatewayError.BadRoute($"\"{GatewayError.Clip(toolAtVersion.ToString())}\" names no version: call /mcp/{{server}}/{{tool}}@{{version}}, e.g. /mcp/weather/forecast@1.0.0.");
            return null;
        }

        var tool = toolAtVersion[..at];
        var version = toolAtVersion[(at + 1)..];
        if (Check(server, s_name, "server") is { } badServer)
        {
            error = badServer;
            return null;
        }

        if (Check(tool, s_name, "tool") is { } badTool)
        {
            error = badTool;
            return null;
        }

        if (Check(version, s_version, "version") is { } badVersion)
        {
            error = badVersion;
            return null;
        }

        return new ToolRoute(server.ToString(), tool.ToString(), version.ToString());
    }

    private static GatewayError? Check(ReadOnlySpan<char> segment, SearchValues<char> alphabet, string what)
    {
        if (segment.IsEmpty || segment.Length > MaxSegment)
        {
            return GatewayError.BadRoute($"the {what} name must be 1 to {MaxSegment} characters.");
        }

        if (segment.ContainsAnyExcept(alphabet) || segment[0] == '.')
        {
            return GatewayError.BadRoute($"the {what} name \"{GatewayError.Clip(segment.ToString())}\" may only hold letters, digits, '.', '_' and '-' (no '/', '%', spaces or control characters), and may not start with '.'.");
        }

        return null;
    }
}

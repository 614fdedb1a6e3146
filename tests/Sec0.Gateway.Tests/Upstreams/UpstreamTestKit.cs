using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text.Json;
using Sec0.Gateway.Upstreams;

namespace Sec0.Gateway.Tests.Upstreams;

/// <summary>Shared helpers of the upstream tests.</summary>
internal static class UpstreamTestKit
{
    public const string TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    public static string SamplePath =>
        Assembly.GetExecutingAssembly().GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "McpSamplePath").Value!;

    public static UpstreamCall Call(string tool, string argumentsJson = "{}", string version = "1.0.0", IReadOnlyDictionary<string, string>? headers = null, string? key = null) =>
        new("srv", tool, version, JsonDocument.Parse(argumentsJson).RootElement.Clone(), key ?? $"key-{Guid.NewGuid():N}", TraceParent, headers ?? new Dictionary<string, string>());

    /// <summary>A loopback port nothing listens on (bound, then released).</summary>
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>The parsed <c>CallToolResult</c> of an Ok MCP result.</summary>
    public static JsonElement ToolResult(UpstreamResult result)
    {
        Assert.True(result.Outcome == UpstreamOutcome.Ok, $"{result.Outcome}: {result.Message}");
        return JsonDocument.Parse(result.Body!).RootElement.Clone();
    }

    public static bool IsError(JsonElement toolResult) =>
        toolResult.TryGetProperty("isError", out var isError) && isError.ValueKind == JsonValueKind.True;

    public static string Text(JsonElement toolResult) =>
        string.Concat(toolResult.GetProperty("content").EnumerateArray().Where(c => c.GetProperty("type").GetString() == "text").Select(c => c.GetProperty("text").GetString()));

    /// <summary>A token that ends a test that would otherwise hang.</summary>
    public static CancellationToken Bound(int seconds = 60) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;
}

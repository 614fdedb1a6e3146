using System.Reflection;
using Sec0.Gateway.Upstreams;

namespace Sec0.Gateway.Tests.Gateway;

/// <summary>The sample MCP server (samples/McpServer), started by the gateway as a child process over stdio.</summary>
internal static class StdioSample
{
    public static string DllPath { get; } =
        typeof(StdioSample).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "McpSamplePath").Value!;

    /// <summary>The target; the server keeps its key and log under <paramref name="workDirectory"/>.</summary>
    public static GatewayTarget Target(string workDirectory, int poolSize = 1) => new()
    {
        Kind = GatewayTargetKind.McpStdio,
        Command = "dotnet",
        Arguments = [DllPath],
        WorkingDirectory = workDirectory,
        PoolSize = poolSize,
    };
}

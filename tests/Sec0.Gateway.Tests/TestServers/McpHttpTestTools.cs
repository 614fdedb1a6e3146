using System.ComponentModel;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Sec0.Gateway.Tests.TestServers;

/// <summary>The tools of <see cref="McpHttpTestServer"/>.</summary>
[McpServerToolType]
public sealed class McpHttpTestTools
{
    [McpServerTool(Name = "echo"), Description("Returns its arguments as JSON text.")]
    public static string Echo(RequestContext<CallToolRequestParams> context) =>
        JsonSerializer.Serialize(context.Params?.Arguments ?? new Dictionary<string, JsonElement>());

    [McpServerTool(Name = "meta"), Description("Returns the request's _meta as JSON text.")]
    public static string Meta(RequestContext<CallToolRequestParams> context) =>
        context.Params?.Meta?.ToJsonString() ?? "{}";

    [McpServerTool(Name = "slow"), Description("Waits for ms milliseconds, observing cancellation.")]
    public static async Task<string> Slow(McpHttpTestState state, int ms, CancellationToken cancellationToken)
    {
        state.SlowStart();
        try
        {
            await Task.Delay(ms, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            state.SlowCancel();
            throw;
        }

        return "slept";
    }

    [McpServerTool(Name = "fail"), Description("Always throws.")]
    public static string Fail() => throw new InvalidOperationException("the fail tool failed");

    [McpServerTool(Name = "count"), Description("Counts its calls and returns the new count.")]
    public static int Count(McpHttpTestState state) => state.IncrementCount();
}

using System.Diagnostics;
using System.Reflection;

namespace Sec0.Gateway.Tests.Sample;

/// <summary>
/// samples/Gateway as a user runs it: a real child process (<c>dotnet Sec0.Samples.Gateway.dll --once</c>) that starts
/// the gateway, which starts samples/McpServer over stdio, calls get_time twice and verifies its audit log.
/// </summary>
public sealed class GatewaySampleTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(120);

    private static string SampleDll { get; } =
        typeof(GatewaySampleTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "GatewaySamplePath").Value!;

    [Fact]
    public async Task The_sample_calls_a_tool_through_the_gateway_replays_it_and_verifies_its_audit_log()
    {
        Assert.True(File.Exists(SampleDll), $"the gateway sample is not built at {SampleDll}");
        using var work = new TempDirectory("gateway-sample");

        // The sample's config in a folder of its own: its key, audit log and the MCP server's folder land there.
        var config = work.Combine("sec0.config.yaml");
        File.Copy(Path.Combine(Path.GetDirectoryName(SampleDll)!, "sec0.config.yaml"), config);

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = work.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[SampleDll, "--once", "--port", "0", "--config", config])
        {
            start.ArgumentList.Add(argument);
        }

        // The sample's own path: no secret in the environment, so it makes a random one for the process.
        start.Environment.Remove("SEC0_GATEWAY_TOKEN_SECRET");

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(s_timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"the sample did not finish within {s_timeout.TotalSeconds:0} s.\nstdout:\n{await stdout}\nstderr:\n{await stderr}");
        }

        var output = await stdout;
        var errors = await stderr;
        var why = $"exit code {process.ExitCode}\nstdout:\n{output}\nstderr:\n{errors}";
        Assert.True(process.ExitCode == 0, why);
        Assert.Contains("SEC0_GATEWAY_TOKEN_SECRET is not set", output);
        Assert.Contains("curl -s -i -X POST http://127.0.0.1:", output);

        var calls = output.Split("POST /mcp/sample-tools/get_time@1.0.0 (x-idempotency-key: demo-1)");
        Assert.True(calls.Length == 3, why);
        Assert.Contains("status: 200 OK", calls[1]);
        Assert.Contains("x-dedupe: (none)", calls[1]);
        Assert.Contains("\"text\"", calls[1]);
        Assert.Contains("status: 200 OK", calls[2]);
        Assert.Contains("x-dedupe: replay", calls[2]);
        Assert.Contains("verify: 2/2 envelopes valid, chain intact", output);

        // Each process kept to its own audit folder: the gateway's, and the MCP server's under .sec0/mcp-server.
        Assert.NotEmpty(Directory.GetFiles(work.Combine(".sec0", "gateway-logs"), "audit-*.ndjson"));
        Assert.True(Directory.Exists(work.Combine(".sec0", "mcp-server", ".sec0")), why);
    }
}

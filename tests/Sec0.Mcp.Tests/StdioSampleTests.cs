using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Sec0.Audit;
using Sec0.Policy;
using Sec0.Signing;

namespace Sec0.Mcp.Tests;

/// <summary>The built samples/McpServer started as a child process and driven over stdio by the SDK's client.</summary>
public sealed class StdioSampleTests
{
    private static string SamplePath =>
        typeof(StdioSampleTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "McpSamplePath").Value!;

    [Fact]
    public async Task Sample_over_stdio_allows_read_only_denies_unlisted_and_keyless_destructive_and_its_audit_verifies()
    {
        Assert.True(File.Exists(SamplePath), $"Build samples/McpServer first: {SamplePath}");
        var directory = Path.Combine(Path.GetTempPath(), "sec0-mcp-stdio", Guid.NewGuid().ToString("N"));
        var keyDirectory = Path.Combine(directory, ".sec0", "keys");
        Directory.CreateDirectory(keyDirectory);
        var seed = RandomNumberGenerator.GetBytes(32);
        var keyPath = Path.Combine(keyDirectory, "ed25519.key");
        await File.WriteAllTextAsync(keyPath, Convert.ToBase64String(seed));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        try
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var transport = new StdioClientTransport(new StdioClientTransportOptions
            {
                Name = "sec0-sample",
                Command = "dotnet",
                Arguments = [SamplePath],
                WorkingDirectory = directory,
                ShutdownTimeout = TimeSpan.FromSeconds(10),
            });

            await using (var client = await McpClient.CreateAsync(transport, cancellationToken: cancel.Token))
            {
                var tools = await client.ListToolsAsync(cancellationToken: cancel.Token);
                Assert.Equal(["delete_everything", "get_time", "transfer_funds"], tools.Select(t => t.Name).Order(StringComparer.Ordinal));

                var time = await client.CallToolAsync("get_time", cancellationToken: cancel.Token);
                Assert.NotEqual(true, time.IsError);

                var denied = await client.CallToolAsync("delete_everything", cancellationToken: cancel.Token);
                Assert.True(denied.IsError);
                Assert.Contains(PolicyReasons.ToolNotInAllowlist, Text(denied));

                var arguments = new Dictionary<string, JsonElement>
                {
                    ["from"] = JsonSerializer.SerializeToElement("a"),
                    ["to"] = JsonSerializer.SerializeToElement("b"),
                    ["amountCents"] = JsonSerializer.SerializeToElement(100),
                };
                var keyless = await client.CallToolAsync(new CallToolRequestParams { Name = "transfer_funds", Arguments = arguments }, cancel.Token);
                Assert.True(keyless.IsError);
                Assert.Contains(PolicyReasons.MissingIdempotencyForSideEffect, Text(keyless));

                var keyed = await client.CallToolAsync(
                    new CallToolRequestParams { Name = "transfer_funds", Arguments = arguments, Meta = new() { [Sec0McpOptions.IdempotencyKeyMetaName] = "t-1" } },
                    cancel.Token);
                Assert.NotEqual(true, keyed.IsError);
                Assert.Contains("transferred 100", Text(keyed));
            }

            // Disposing the client closes the child's stdin: the host stops and flushes its audit log.
            var auditDirectory = Path.Combine(directory, ".sec0", "logs");
            var envelopes = McpTestServer.ReadEnvelopes(auditDirectory);
            Assert.Equal(4, envelopes.Count(e => e.GetProperty("op").GetString() == "tools/call"));
            var timeEnvelope = Assert.Single(envelopes, e => e.GetProperty("tool").GetString() == "get_time");
            Assert.StartsWith("sha256:", timeEnvelope.GetProperty("hop_hash").GetString());

            using var signer = new Ed25519Signer(seed);
            var report = new AuditLogVerifier(signer.CreateVerifier()).Verify(auditDirectory);
            Assert.True(report.IsIntact, report.Summary);
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static string Text(CallToolResult result) => McpTestServer.Text(result);
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using Sec0.Samples.McpServer;
using Sec0.Signing;

// A stdio MCP server wrapped by Sec0. Run it from the folder that should hold .sec0/ (keys and audit log):
//   dotnet run --project samples/McpServer
// stdout carries the MCP protocol, so every log line goes to stderr.
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.ClearProviders();
builder.Logging.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);

const string keyPath = ".sec0/keys/ed25519.key";
if (!File.Exists(keyPath))
{
    // Sample convenience only: a real deployment provisions its key (sec0 keygen, or openssl rand -base64 32).
    // The same code as sec0 keygen: the file is 0600 and its new folders 0700 from the moment they exist.
    using (SigningKeyFile.Create(keyPath, SigningAlgorithm.Ed25519))
    {
    }

    Console.Error.WriteLine($"[sample] created a development signing key at {Path.GetFullPath(keyPath)}");
}

builder.Services
    .AddMcpServer(options => options.ServerInfo = new Implementation { Name = "sample-tools", Version = "1.0.0" })
    .WithStdioServerTransport()
    .WithTools<SampleTools>()
    .WithSec0Security(options =>
    {
        options.PolicyPath = Path.Combine(AppContext.BaseDirectory, "policy.yaml");
        options.SignerKeyRef = "file://" + keyPath;
        options.Sec0.Dir = ".sec0/logs";
        options.Sec0.RetentionDays = 30;
        options.Otel.ServiceName = "sample-tools";
        options.Otel.Environment = "dev";
    });

await builder.Build().RunAsync();

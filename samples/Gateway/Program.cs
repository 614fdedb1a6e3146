using System.Globalization;
using System.Net.Http.Headers;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Sec0;
using Sec0.Audit;
using Sec0.Config;
using Sec0.Gateway;
using Sec0.Gateway.Auth;
using Sec0.Gateway.Upstreams;
using Sec0.Signing;

// The Sec0 gateway in front of samples/McpServer (a stdio MCP server):
//   dotnet run --project samples/Gateway                 serve on 127.0.0.1:8088 until Ctrl+C
//   dotnet run --project samples/Gateway -- --once       call get_time twice through it, stop, verify the audit log
// Options: --port N (0 picks a free port), --config PATH (default: samples/Gateway/sec0.config.yaml).
const string SecretVariable = "SEC0_GATEWAY_TOKEN_SECRET";
const string Server = "sample-tools";
const string Tenant = "demo";

var once = false;
int? port = null;
string? configArgument = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--once":
            once = true;
            break;
        case "--port" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p <= 65535:
            port = p;
            i++;
            break;
        case "--config" when i + 1 < args.Length:
            configArgument = args[++i];
            break;
        default:
            Console.Error.WriteLine($"[sample] unknown argument \"{args[i]}\". Usage: [--once] [--port N] [--config PATH]");
            return 2;
    }
}

var configPath = Path.GetFullPath(configArgument ?? DefaultConfigPath());
Console.WriteLine($"config: {configPath}");

// The service token secret: from the environment, else a random one for this process only.
var secretBase64 = Environment.GetEnvironmentVariable(SecretVariable);
if (string.IsNullOrWhiteSpace(secretBase64))
{
    secretBase64 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    Console.WriteLine($"[sample] {SecretVariable} is not set: using a random secret for this process (tokens below work until it exits).");
}

string? Env(string name) => name == SecretVariable ? secretBase64 : Environment.GetEnvironmentVariable(name);

Sec0GatewayOptions options;
string auditDirectory;
SignatureVerifier verifier;
try
{
    // Read once without the key check, to learn where the key and the audit log go (resolved against the config's folder).
    var config = Sec0ConfigLoader.Load(configPath, new Sec0ConfigLoadOptions { CheckSigningKeyExists = false, Environment = Env });
    var keyPath = config.ControlPlane.LocalSignerPath;
    if (!File.Exists(keyPath))
    {
        // Sample convenience only (GatewayConfigLoader never creates keys): a real deployment provisions its
        // key with sec0 keygen. The file is 0600 and its new folders 0700 from the moment they exist.
        using (SigningKeyFile.Create(keyPath, SigningAlgorithm.Ed25519))
        {
        }

        Console.WriteLine($"[sample] created a development signing key at {keyPath}");
    }

    // The verifier needs only the public key; it is taken now, the gateway owns its own copy of the signer.
    using (var signer = LocalDevSigner.FromFile(keyPath, config.Directory, environment: Env))
    {
        verifier = signer.CreateVerifier();
    }

    auditDirectory = config.ControlPlane.AppenderDir;
    options = GatewayConfigLoader.Load(configPath, Env);
}
catch (Sec0Exception e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

if (port is { } chosen)
{
    options.Port = chosen;
}

// The stdio target is completed here because the MCP server's dll path is only known at build time (the csproj
// writes it into an AssemblyMetadata attribute). The config's entry gives the command (dotnet) and the working
// directory: the MCP server keeps its own key and audit log there, and only one process may write an audit folder.
var mcpServerDll = typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "McpSamplePath").Value!;
if (!File.Exists(mcpServerDll))
{
    Console.Error.WriteLine($"[sample] the MCP server is not built at {mcpServerDll}: run dotnet build samples/Gateway first.");
    options.Appender?.Dispose();
    return 2;
}

var configured = options.Targets.TryGetValue(Server, out var fromConfig) ? fromConfig : null;
var serverDirectory = configured?.WorkingDirectory ?? Path.Combine(Path.GetDirectoryName(configPath)!, ".sec0", "mcp-server");
Directory.CreateDirectory(serverDirectory);
options.Targets[Server] = (configured ?? new GatewayTarget { Kind = GatewayTargetKind.McpStdio, Command = "dotnet" }) with
{
    Arguments = [mcpServerDll],
    WorkingDirectory = serverDirectory,
};

Sec0Gateway gateway;
try
{
    gateway = await Sec0Gateway.StartAsync(options, logging => logging
        .AddSimpleConsole(o => o.SingleLine = true)
        .SetMinimumLevel(once ? LogLevel.Warning : LogLevel.Information)
        .AddFilter("Microsoft", LogLevel.Warning)
        .AddFilter("ModelContextProtocol", LogLevel.Warning)
        .AddFilter("Microsoft.Extensions.Hosting", LogLevel.Critical)); // a failed bind is reported below, without the stack

}
catch (IOException e)
{
    // Kestrel's "address already in use" (AddressInUseException is an IOException).
    Console.Error.WriteLine($"[sample] cannot listen on {options.Host}:{options.Port}: {e.Message}");
    Console.Error.WriteLine("[sample] another process holds the port: stop it, or pick another with --port N (0 picks a free one).");
    options.Appender?.Dispose();
    return 3;
}
catch (Sec0GatewayOptionsException e)
{
    Console.Error.WriteLine(e.Message);
    options.Appender?.Dispose();
    return 2;
}

// A service token for tenant demo, valid for an hour: base64url(payload).base64url(HMAC-SHA256), as the TS SDK's verifyServiceToken reads it.
var now = DateTimeOffset.UtcNow;
var token = ServiceTokenValidator.Issue(ServiceTokenValidator.DecodeSecret(secretBase64), Tenant, "sample-user", roles: null, now.AddHours(1), issuedAt: now);
var toolUrl = new Uri(gateway.Url, $"mcp/{Server}/get_time@1.0.0");

Console.WriteLine($"gateway: listening on {gateway.Url} ({options.Name}@{options.Version}, tenant {Tenant})");
Console.WriteLine($"audit log: {auditDirectory}");
Console.WriteLine("try:");
Console.WriteLine($"  curl -s -i -X POST {toolUrl} -H 'Authorization: Bearer {token}' -H 'x-idempotency-key: demo-1' -H 'content-type: application/json' -d '{{}}'");

var exitCode = 0;
if (!once)
{
    // Ctrl+C (SIGINT) or SIGTERM: stop cleanly, so the MCP server exits and the audit log is flushed and sealed.
    var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        stop.TrySetResult();
    }

    using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
    using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    Console.WriteLine("Press Ctrl+C to stop.");
    await stop.Task;
    Console.WriteLine("stopping...");
    await gateway.DisposeAsync();
}
else
{
    try
    {
        using var http = new HttpClient();
        var first = await CallAsync(http, toolUrl, token, "demo-1");
        var second = await CallAsync(http, toolUrl, token, "demo-1");
        if (first != "200/" || second != "200/replay")
        {
            Console.WriteLine($"[sample] unexpected answers: {first} then {second} (expected 200 then 200 with x-dedupe: replay)");
            exitCode = 1;
        }
    }
    finally
    {
        // Stops the MCP server child process and flushes and seals the gateway's audit log.
        await gateway.DisposeAsync();
    }

    var report = new AuditLogVerifier(verifier).Verify(auditDirectory);
    Console.WriteLine($"verify: {report.Summary}");
    foreach (var problem in report.Problems)
    {
        Console.WriteLine($"  {problem}");
    }

    if (!report.IsIntact)
    {
        exitCode = 1;
    }
}

verifier.Dispose();
return exitCode;

// samples/Gateway/sec0.config.yaml when the source folder is still where the sample was built, else the copy beside the binary.
static string DefaultConfigPath()
{
    var source = typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "SampleConfigPath").Value!;
    return File.Exists(source) ? source : Path.Combine(AppContext.BaseDirectory, "sec0.config.yaml");
}

// One call as an agent makes it; prints what came back and returns "<status>/<x-dedupe>".
static async Task<string> CallAsync(HttpClient http, Uri url, string token, string key)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, url)
    {
        Content = new StringContent("{}", Encoding.UTF8, "application/json"),
    };
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    request.Headers.Add("x-idempotency-key", key);
    using var response = await http.SendAsync(request);
    var body = await response.Content.ReadAsStringAsync();
    var dedupe = Header(response, "x-dedupe");
    Console.WriteLine($"POST {url.AbsolutePath} (x-idempotency-key: {key})");
    Console.WriteLine($"  status: {(int)response.StatusCode} {response.ReasonPhrase}");
    Console.WriteLine($"  x-trace-id: {Header(response, "x-trace-id") ?? "(none)"}");
    Console.WriteLine($"  x-dedupe: {dedupe ?? "(none)"}");
    Console.WriteLine($"  body: {body}");
    return $"{(int)response.StatusCode}/{dedupe}";
}

static string? Header(HttpResponseMessage response, string name)
    => response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

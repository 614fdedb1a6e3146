using Sec0;
using Sec0.Audit;
using Sec0.Audit.Tracing;
using Sec0.Samples.Quickstart;

// `dotnet run --project samples/Quickstart` from the repository root uses the root sec0.config.yaml;
// run from anywhere else, the copy beside the binary. Paths inside the config (.sec0/keys, .sec0/logs)
// resolve against the config file's folder.
const string ConfigFileName = "sec0.config.yaml";
var configPath = File.Exists(ConfigFileName)
    ? Path.GetFullPath(ConfigFileName)
    : Path.Combine(AppContext.BaseDirectory, ConfigFileName);
Console.WriteLine($"config: {configPath}");

Sec0App app;
try
{
    // A fresh clone has no key yet: the quickstart creates one (mode 0600). Production leaves this off.
    app = Sec0App.Initialize(configPath, new Sec0AppOptions { CreateSigningKeyIfMissing = true });
}
catch (Sec0Exception e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

var auditDirectory = app.AuditDirectory;
Console.WriteLine($"signing key: {app.Config.ControlPlane.LocalSignerPath} ({app.Signer.KeyId})");

// The verifier needs only the public key; it is taken now because disposing the app releases the key.
using var verifier = app.Signer.CreateVerifier();
try
{
    var outcome = await Workflow.Orchestrate("quarterly supplier review");
    Console.WriteLine($"workflow: {outcome}");
}
finally
{
    // Flushes every queued envelope and seals the log, so verification below reads finished files.
    await app.DisposeAsync();
}

Console.WriteLine($"audit directory: {auditDirectory}");
foreach (var file in Directory.GetFiles(auditDirectory, "audit-*.ndjson").Order(StringComparer.Ordinal))
{
    Console.WriteLine($"  {Path.GetFileName(file)}: {File.ReadLines(file).Count()} lines");
}

var report = new AuditLogVerifier(verifier).Verify(auditDirectory);
Console.WriteLine($"verify: {report.Summary}");
foreach (var problem in report.Problems)
{
    Console.WriteLine($"  {problem}");
}

// The run just recorded, drawn as `sec0 trace .sec0/logs` draws it: the newest run of the log.
var trace = new AuditRunReader(new AuditRunReaderOptions { Last = 1 }).Read(auditDirectory);
Console.WriteLine();
AuditTraceTextRenderer.Write(Console.Out, trace, AuditTraceTextRenderer.ShouldUseColor(!Console.IsOutputRedirected));

return report.IsIntact ? 0 : 1;

using System.Globalization;
using Sec0.Audit;
using Sec0.Signing;

// Usage: Sec0.Audit.CrashHost <auditDir> <keyFile> <keyBaseDir> <runId> <writers>
// Appends with flush: always from several tasks and prints "ACK <id>" once an append has completed,
// so the parent knows exactly which envelopes were acknowledged before it kills this process.
var directory = args[0];
using var signer = LocalDevSigner.FromFile(args[1], baseDirectory: args[2]);
var runId = args[3];
var writers = int.Parse(args[4], CultureInfo.InvariantCulture);

await using var appender = AuditAppender.Open(new AuditAppenderOptions
{
    Directory = directory,
    Signer = signer,
    Flush = AuditFlushMode.Always,
});

var stdout = Console.Out;
var gate = new object();
Console.WriteLine("READY");
await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
{
    for (var i = 0; ; i++)
    {
        var id = $"{runId}-{w}-{i}";
        await appender.AppendAsync(new AuditEnvelope { Tool = id, NodeType = "agent", Status = "ok", Tenant = "crash" });
        lock (gate)
        {
            stdout.WriteLine("ACK " + id);
            stdout.Flush();
        }
    }
})));

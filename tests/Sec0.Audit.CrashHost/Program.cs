using System.Globalization;
using Sec0.Audit;
using Sec0.Signing;

// Usage: Sec0.Audit.CrashHost <auditDir> <keyFile> <keyBaseDir> <runId> <writers>
//    or: Sec0.Audit.CrashHost approvals <storeDir> <escalationId> <firstVoter>
//    or: Sec0.Audit.CrashHost pipeline <dir>   (key generation, signed appends, verification; prints what it used)
// Appends with flush: always from several tasks and prints "ACK <id>" once an append has completed,
// so the parent knows exactly which envelopes were acknowledged before it kills this process.
if (args[0] == "pipeline")
{
    return await RunPipelineAsync(args[1]);
}

if (args[0] == "approvals")
{
    return await VoteUntilKilledAsync(args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture));
}

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

return 0;

// Votes as u<first>, u<first+1>, ... and prints "ACK u<n>" once each vote was taken; when the reviewers run out it waits to be killed.
static async Task<int> VoteUntilKilledAsync(string storeDir, string escalationId, int first)
{
    await using var service = new Sec0.Approvals.ApprovalService(
        new Sec0.Approvals.FileEscalationStore(storeDir),
        Sec0.Approvals.ApproverGroups.None,
        Sec0.Approvals.ApprovalTokens.FromKeyFile(Path.Combine(storeDir, "token.key")));
    Console.WriteLine("READY");
    for (var i = first; ; i++)
    {
        var result = await service.VoteAsync(escalationId, $"u{i}", "ops", Sec0.Approvals.ApprovalDecision.Approve, null, CancellationToken.None);
        if (result.Refusal == Sec0.Approvals.VoteRefusal.NotAReviewer)
        {
            break;
        }

        if (!result.Accepted)
        {
            Console.Error.WriteLine($"vote u{i} refused: {result.Refusal}");
            return 1;
        }

        Console.WriteLine($"ACK u{i}");
        Console.Out.Flush();
    }

    await Task.Delay(Timeout.Infinite);
    return 0;
}

// The whole audit pipeline in a fresh process: a new Ed25519 key file, 100 signed envelopes, a verification of the log.
static async Task<int> RunPipelineAsync(string root)
{
    var keyFile = Path.Combine(root, "keys", "ed25519.key");
    Directory.CreateDirectory(Path.GetDirectoryName(keyFile)!);
    using (var created = SigningKeyFile.Create(keyFile, SigningAlgorithm.Ed25519))
    {
    }

    using var signer = LocalDevSigner.FromFile(keyFile, baseDirectory: root);
    var logs = Path.Combine(root, "logs");
    await using (var appender = AuditAppender.Open(new AuditAppenderOptions { Directory = logs, Signer = signer }))
    {
        for (var i = 0; i < 100; i++)
        {
            appender.Enqueue(new AuditEnvelope { Tool = "t" + i, NodeType = "tool", Status = "ok", Tenant = "portable" });
        }
    }

    using var verifier = signer.CreateVerifier();
    var report = new AuditLogVerifier(verifier).Verify(logs);
    Console.WriteLine("LIBCRYPTO " + (NativeLibraryResolver.IsLibCryptoAvailable ? "found" : "not-used"));
    Console.WriteLine("SHA256 " + (Sha256Digest.IsNative ? "libcrypto" : "dotnet"));
    Console.WriteLine($"VERIFIED {report.ValidEnvelopes} of {report.Envelopes} intact={report.IsIntact}");
    return report.IsIntact ? 0 : 1;
}

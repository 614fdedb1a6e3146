using System.Diagnostics;
using System.Text.Json;
using Sec0.Audit;
using Sec0.Instrumentation.Tests.Support;
using Sec0.Signing;

namespace Sec0.Instrumentation.Tests.Audit;

/// <summary>
/// A real child process appends with flush: always and is killed with SIGKILL at random moments; every
/// append it had acknowledged must survive, and the directory must verify end to end after recovery.
/// </summary>
public class AuditCrashTests
{
    private static readonly string Host = ChildProcess.CrashHostPath;

    [Fact]
    public async Task Acknowledged_appends_survive_sigkill_and_the_log_verifies_after_recovery()
    {
        using var dir = new TempDirectory();
        var keyPath = dir.Combine("keys", "ed25519.key");
        using var signer = SigningKeyFile.Create(keyPath, SigningAlgorithm.Ed25519);
        var auditDir = dir.Combine("logs");
        var acked = new HashSet<string>();
        var random = new Random(Environment.TickCount);
        const int rounds = 5;

        for (var round = 0; round < rounds; round++)
        {
            using var child = ChildProcess.StartDotnet(Host, auditDir, keyPath, dir.Path, $"r{round}", "4");
            var ready = await ReadLineAsync(child, TimeSpan.FromSeconds(60));
            if (ready != "READY")
            {
                Assert.Fail($"child did not start: {ready} {await child.StandardError.ReadToEndAsync()}");
            }

            // Collect acknowledgements until a random moment, then kill without warning.
            var killAt = Stopwatch.StartNew();
            var lifetime = TimeSpan.FromMilliseconds(random.Next(50, 600));
            var reading = Task.Run(async () =>
            {
                while (await child.StandardOutput.ReadLineAsync() is { } line)
                {
                    if (line.StartsWith("ACK ", StringComparison.Ordinal))
                    {
                        lock (acked)
                        {
                            acked.Add(line[4..]);
                        }
                    }
                }
            });
            await Task.Delay(lifetime);
            child.Kill(); // SIGKILL on Unix
            await child.WaitForExitAsync();
            await reading.WaitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.True(acked.Count > 0, "the child acknowledged nothing in any round");

        // Restart once more: recovery moves torn bytes aside and continues the chain.
        await using (AuditAppender.Open(new AuditAppenderOptions { Directory = auditDir, Signer = signer }))
        {
        }

        var logged = new HashSet<string>();
        foreach (var file in Directory.GetFiles(auditDir, "audit-*.ndjson"))
        {
            foreach (var line in File.ReadLines(file))
            {
                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.TryGetProperty("tool", out var tool))
                {
                    logged.Add(tool.GetString()!);
                }
            }
        }

        var missing = acked.Where(a => !logged.Contains(a)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} acknowledged envelopes lost, e.g. {string.Join(", ", missing.Take(5))}");
        using var verifier = signer.CreateVerifier();
        var report = new AuditLogVerifier(verifier).Verify(auditDir);
        Assert.True(report.IsIntact, string.Join("\n", report.Problems.Take(20)));
        Assert.True(report.Envelopes >= acked.Count);
    }

    [Fact]
    public async Task A_second_process_on_the_same_directory_gets_a_clear_error()
    {
        using var dir = new TempDirectory();
        var keyPath = dir.Combine("keys", "ed25519.key");
        using var signer = SigningKeyFile.Create(keyPath, SigningAlgorithm.Ed25519);
        var auditDir = dir.Combine("logs");
        using var child = ChildProcess.StartDotnet(Host, auditDir, keyPath, dir.Path, "holder", "1");
        try
        {
            Assert.Equal("READY", await ReadLineAsync(child, TimeSpan.FromSeconds(60)));
            var ex = Assert.Throws<Sec0AuditException>(() => AuditAppender.Open(new AuditAppenderOptions { Directory = auditDir, Signer = signer }));
            Assert.Equal(Sec0AuditException.DirectoryInUseCode, ex.Code);
            Assert.Contains($"(pid {child.Id})", ex.Message);
        }
        finally
        {
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
        }
    }

    private static async Task<string?> ReadLineAsync(Process child, TimeSpan timeout)
        => await child.StandardOutput.ReadLineAsync().WaitAsync(timeout);
}

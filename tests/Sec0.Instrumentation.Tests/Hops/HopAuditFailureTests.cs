using Sec0.Audit;
using Sec0.Hops;
using Sec0.Instrumentation.Tests.Support;

namespace Sec0.Instrumentation.Tests.Hops;

/// <summary>
/// An audit log that can no longer be written is never ignored: a hop whose enforcement denies
/// missing_audit_signature is stopped before it runs; the failure reaches whoever flushes.
/// </summary>
[Collection(nameof(Sec0AppCollection))]
public class HopAuditFailureTests
{
    private static readonly HopDescriptor s_ledger = new("Ledger.Write", HopType.Tool, "sha256:v1:" + new string('a', 64), "Ledger.cs", 1, 5, "void Ledger.Write()");
    private static readonly HopDescriptor s_notes = new("Notes.Write", HopType.Tool, "sha256:v1:" + new string('b', 64), "Notes.cs", 1, 5, "void Notes.Write()");

    [Fact]
    public async Task When_the_log_cannot_be_written_a_hop_that_denies_missing_audit_signature_does_not_run()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("sec0.config.yaml"), """
            app:
              tenant: demo
              environment: prod
              hops:
                Ledger.Write: { type: tool, nodeId: ledger, server: ledger, tool: write, enforcement: { deny_on: [missing_audit_signature] } }
                Notes.Write: { type: tool, nodeId: notes, server: notes, tool: write }
            controlPlane:
              sec0Dir: ./.sec0
              localSignerPath: ./.sec0/keys/ed25519.key
            audit:
              flush: always
            """);
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 5, 1, 23, 0, 0, TimeSpan.Zero));
        var app = Sec0App.Initialize(dir.Combine("sec0.config.yaml"), new Sec0AppOptions { CreateSigningKeyIfMissing = true, TimeProvider = clock });
        try
        {
            HopRuntime.Begin(s_ledger).Complete();
            await app.FlushAsync();

            // Tomorrow's file is /dev/full: the disk is full from midnight on.
            File.CreateSymbolicLink(Path.Combine(app.AuditDirectory, "audit-2026-05-02.ndjson"), "/dev/full");
            clock.Advance(TimeSpan.FromHours(2));
            HopRuntime.Begin(s_notes).Complete();
            var flush = await Assert.ThrowsAsync<Sec0AuditException>(async () => await app.FlushAsync());
            Assert.Equal(Sec0AuditException.WriteFailedCode, flush.Code);

            var denied = Assert.Throws<Sec0PolicyDeniedException>(() => HopRuntime.Begin(s_ledger));
            Assert.Equal("missing_audit_signature", denied.Violation);
            Assert.Equal(DenialLevels.Decorator, denied.DenialLevel);

            // A hop that doesn't deny it still runs; its lost envelope is logged, not thrown into the call.
            HopRuntime.Begin(s_notes).Complete();
        }
        finally
        {
            await Assert.ThrowsAsync<Sec0AuditException>(async () => await app.DisposeAsync());
        }

        Assert.Null(Sec0App.Current);
    }
}

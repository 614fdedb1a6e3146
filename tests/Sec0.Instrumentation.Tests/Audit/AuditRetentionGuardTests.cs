using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Sec0.Audit;
using Sec0.Config;
using Sec0.Instrumentation.Tests.Config;
using Sec0.Instrumentation.Tests.Signing;
using Sec0.Instrumentation.Tests.Support;
using Sec0.Signing;

namespace Sec0.Instrumentation.Tests.Audit;

/// <summary>
/// <see cref="AuditAppenderOptions.CanDeleteFile"/>: retention deletes only the oldest run of expired files the predicate
/// allows, so files not yet uploaded stay and the kept log still starts where its anchor says.
/// </summary>
public sealed class AuditRetentionGuardTests : IDisposable
{
    private readonly TempDirectory _dir = new("retention-guard");
    private readonly AuditSigner _signer = TestKeys.NewSigner();

    public void Dispose()
    {
        _signer.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Retention_stops_at_the_first_file_the_predicate_refuses()
    {
        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 5, perDay: 3);
        var asked = new List<string>();
        var log = new CollectingLogger();

        // A 37-day window on 04-10 expires 03-01 to 03-03; 03-02 is refused, so 03-03 stays too though allowed.
        await using (Open(40, 37, name =>
        {
            asked.Add(name);
            return name != "audit-2026-03-02.ndjson";
        }, log))
        {
        }

        Assert.Equal(["audit-2026-03-01.ndjson", "audit-2026-03-02.ndjson"], asked);
        Assert.Equal(["audit-2026-03-02.ndjson", "audit-2026-03-03.ndjson", "audit-2026-03-04.ndjson", "audit-2026-03-05.ndjson", "audit-2026-04-10.ndjson"], Files());
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Warning && e.Message == "[sec0] Audit retention keeps 2 file(s) older than 37 days until they are uploaded.");

        // The deletion was a prefix of the log: a retention anchor, and the log verifies.
        var retention = JsonNode.Parse(File.ReadAllLines(AuditLogBuilder.Files(_dir.Path)[^1])[1])!.AsObject();
        Assert.Equal(AuditRecordKinds.Retention, (string?)retention["record"]);
        Assert.Equal(["audit-2026-03-01.ndjson"], retention["deleted"]!.AsArray().Select(n => (string?)n));
        var report = AuditLogBuilder.Verify(_dir.Path, _signer);
        Assert.True(report.IsIntact, string.Join("\n", report.Problems));
    }

    [Fact]
    public async Task A_predicate_that_throws_keeps_every_file()
    {
        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 3, perDay: 2);
        var log = new CollectingLogger();

        await using (Open(40, 35, _ => throw new IOException("state unreadable"), log))
        {
        }

        Assert.Equal(4, Files().Length);
        Assert.Contains(log.Entries, e => e.Message == "[sec0] Audit retention keeps 3 file(s) older than 35 days until they are uploaded.");
        Assert.True(AuditLogBuilder.Verify(_dir.Path, _signer).IsIntact);
    }

    [Fact]
    public async Task Without_a_predicate_retention_deletes_as_before()
    {
        await AuditLogBuilder.WriteDaysAsync(_dir.Path, _signer, days: 3, perDay: 2);

        await using (Open(40, 35, null, null))
        {
        }

        Assert.Equal(["audit-2026-04-10.ndjson"], Files());
    }

    [Fact]
    public async Task The_configured_log_passes_the_predicate_to_its_appender()
    {
        using var root = new TempConfigDirectory();
        var keyPath = Path.Combine(root.Root, ".sec0", "keys", "ed25519.key");
        Directory.CreateDirectory(Path.GetDirectoryName(keyPath)!);
        using (var signer = SigningKeyFile.Create(keyPath, SigningAlgorithm.Ed25519))
        {
            await AuditLogBuilder.WriteDaysAsync(Path.Combine(root.Root, ".sec0", "logs"), signer, days: 2, perDay: 2);
        }

        var path = root.Write("sec0.config.yaml", ConfigSamples.Minimal + "\n  retentionDays: 30\n");
        var config = Sec0ConfigLoader.Load(path, TempConfigDirectory.Options());
        var clock = new ManualTimeProvider(AuditLogBuilder.Day1.AddDays(40));
        var asked = new List<string>();

        var (opened, appender) = ConfiguredAuditLog.Open(config, createKeyIfMissing: false, clock, null, _ => null, name =>
        {
            asked.Add(name);
            return false;
        });
        await appender.DisposeAsync();
        opened.Dispose();

        Assert.Equal(["audit-2026-03-01.ndjson"], asked);
        Assert.Equal(3, AuditLogBuilder.Files(config.ControlPlane.AppenderDir).Length);
    }

    private AuditAppender Open(int daysAfterDay1, int retentionDays, Func<string, bool>? canDelete, ILogger? logger) => AuditAppender.Open(new AuditAppenderOptions
    {
        Directory = _dir.Path,
        Signer = _signer,
        TimeProvider = new ManualTimeProvider(AuditLogBuilder.Day1.AddDays(daysAfterDay1)),
        RetentionDays = retentionDays,
        CanDeleteFile = canDelete,
        Logger = logger,
    });

    private string[] Files() => AuditLogBuilder.Files(_dir.Path).Select(f => Path.GetFileName(f)!).ToArray();
}

using Sec0.Audit;
using Sec0.Instrumentation.Tests.Support;
using Sec0.Signing;

namespace Sec0.Instrumentation.Tests.Audit;

/// <summary>Writes real audit logs through <see cref="AuditAppender"/> for the tests.</summary>
internal static class AuditLogBuilder
{
    public static readonly DateTimeOffset Day1 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    public static AuditEnvelope Envelope(int i, DateTimeOffset ts) => new()
    {
        Timestamp = ts,
        TraceId = i.ToString("x32"),
        SpanId = i.ToString("x16"),
        Tenant = "demo",
        Environment = "dev",
        NodeType = "agent",
        Tool = "OrderAgent.Run",
        Status = i % 7 == 0 ? "error" : "ok",
        LatencyMs = 1.25 * i,
        Policy = AuditPolicyRecord.Allow,
        RiskTags = i % 3 == 0 ? ["pii", "egress"] : null,
    };

    /// <summary>Writes <paramref name="perDay"/> envelopes on each of <paramref name="days"/> days; returns the appender's directory.</summary>
    public static async Task WriteDaysAsync(string directory, AuditSigner signer, int days, int perDay, AuditSigningMode mode = AuditSigningMode.PerEnvelope, int checkpointEvery = 1000)
    {
        var clock = new ManualTimeProvider(Day1);
        await using var appender = AuditAppender.Open(new AuditAppenderOptions
        {
            Directory = directory,
            Signer = signer,
            TimeProvider = clock,
            SigningMode = mode,
            CheckpointEvery = checkpointEvery,
            CheckpointInterval = TimeSpan.FromHours(1), // only count-based checkpoints, however slow the machine
            RetentionDays = 0,
        });
        var n = 0;
        for (var d = 0; d < days; d++)
        {
            for (var i = 0; i < perDay; i++)
            {
                await appender.AppendAsync(Envelope(++n, Day1.AddDays(d).AddMinutes(i)));
            }
        }
    }

    public static AuditVerificationReport Verify(string path, AuditSigner signer)
    {
        using var verifier = signer.CreateVerifier();
        return new AuditLogVerifier(verifier).Verify(path);
    }

    public static string[] Files(string directory) => Directory.GetFiles(directory, "audit-*.ndjson").Order(StringComparer.Ordinal).ToArray();
}

using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Sec0.Audit;
using Sec0.Signing;

namespace Sec0.Benchmarks;

/// <summary>
/// <c>--make-log &lt;dir&gt; &lt;megabytes&gt; [checkpoint]</c>: writes a real signed audit log of about that size through
/// <see cref="AuditAppender"/> (hop-shaped envelopes, one day file per 200k envelopes), and the signing key's
/// public key as <c>&lt;dir&gt;.pub</c>, for timing <c>sec0 verify</c> on a large log (docs/performance.md).
/// </summary>
internal static class AuditLogMaker
{
    public static void Run(string directory, long megabytes, AuditSigningMode mode)
    {
        using var signer = new Ed25519Signer(RandomNumberGenerator.GetBytes(32));
        File.WriteAllText(directory.TrimEnd('/') + ".pub", signer.PublicKeyPem);
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var clock = new Clock(start);
        var target = megabytes * 1024 * 1024;
        var stopwatch = Stopwatch.StartNew();
        long written = 0;
        using (var appender = AuditAppender.Open(new AuditAppenderOptions
        {
            Directory = directory,
            Signer = signer,
            SigningMode = mode,
            RetentionDays = 0,
            TimeProvider = clock,
        }))
        {
            for (var i = 0; ; i++)
            {
                if (i % 10_000 == 0)
                {
                    appender.FlushAsync().AsTask().GetAwaiter().GetResult();
                    written = Directory.EnumerateFiles(directory, "audit-*.ndjson").Sum(f => new FileInfo(f).Length);
                    if (written >= target)
                    {
                        break;
                    }
                }

                var ts = start.AddSeconds(i * 0.432); // 200k envelopes a day
                clock.Now = ts;
                var envelope = AppenderBenchmarks.NewEnvelope(i);
                envelope.Timestamp = ts;
                envelope.TraceId = i.ToString("x32", CultureInfo.InvariantCulture);
                envelope.SpanId = i.ToString("x16", CultureInfo.InvariantCulture);
                envelope.Status = i % 50 == 0 ? "error" : "ok";
                envelope.RiskTags = i % 7 == 0 ? ["pii"] : null;
                appender.Enqueue(envelope);
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {written / (1024.0 * 1024):F0} MiB in {Directory.EnumerateFiles(directory, "audit-*.ndjson").Count()} files in {stopwatch.Elapsed.TotalSeconds:F0} s; public key: {directory.TrimEnd('/')}.pub"));
    }

    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}

using Sec0.Audit;
using Sec0.Signing;

namespace Sec0.Cli.Tests.Infrastructure;

/// <summary>Writes real audit logs with <see cref="AuditAppender"/> for the verify tests.</summary>
public static class AuditLogFixture
{
    /// <summary>Appends <paramref name="count"/> envelopes signed by <paramref name="signer"/> to <paramref name="directory"/>.</summary>
    public static async Task WriteAsync(string directory, AuditSigner signer, int count)
    {
        AuditAppender appender = AuditAppender.Open(new AuditAppenderOptions { Directory = directory, Signer = signer, RetentionDays = 0 });
        try
        {
            for (int i = 1; i <= count; i++)
            {
                await appender.AppendAsync(new AuditEnvelope
                {
                    Timestamp = DateTimeOffset.UtcNow,
                    TraceId = i.ToString("x32"),
                    SpanId = i.ToString("x16"),
                    Tenant = "demo",
                    NodeType = "agent",
                    Tool = "OrderAgent.Run",
                    Status = "ok",
                    Policy = AuditPolicyRecord.Allow,
                });
            }
        }
        finally
        {
            await appender.DisposeAsync();
        }
    }

    /// <summary>The single audit file of a directory written within one UTC day.</summary>
    public static string SingleFile(string directory)
        => Assert.Single(Directory.GetFiles(directory, "audit-*.ndjson"));

    /// <summary>Changes one character inside line <paramref name="lineNumber"/> (1-based) without changing its length.</summary>
    public static void FlipByteInLine(string file, int lineNumber)
    {
        string[] lines = File.ReadAllLines(file);
        string line = lines[lineNumber - 1];
        // Flip a character of the tool name: the JSON stays valid, only the signature no longer matches.
        int index = line.IndexOf("OrderAgent", StringComparison.Ordinal);
        Assert.True(index >= 0, "the line to tamper with has no tool name");
        lines[lineNumber - 1] = line[..index] + "X" + line[(index + 1)..];
        File.WriteAllText(file, string.Join('\n', lines) + "\n");
    }
}

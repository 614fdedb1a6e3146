using System.Globalization;

namespace Sec0.Audit.Tracing;

/// <summary>Receives one complete line of an audit file (without its newline) and its 1-based number.</summary>
internal delegate void AuditTraceLineHandler(long lineNumber, ReadOnlySpan<byte> line);

/// <summary>Receives a line that is not handed on: too long, or cut off at the end of the file.</summary>
internal delegate void AuditTraceLineProblemHandler(long lineNumber, AuditProblemKind kind, string message);

/// <summary>
/// Streams the lines of one audit file through a fixed buffer: memory stays at the buffer plus the longest line
/// allowed, whatever the file's size. A longer line is reported and skipped, never buffered.
/// </summary>
internal static class AuditTraceFileLines
{
    private const int BufferSize = 1 << 16;

    /// <summary>Reads the first <paramref name="length"/> bytes of <paramref name="path"/> (what was there when the trace began).</summary>
    public static void Read(string path, long length, int maxLineBytes, AuditTraceLineHandler onLine, AuditTraceLineProblemHandler? onProblem, CancellationToken cancellationToken)
    {
        if (length <= 0)
        {
            return; // empty, or a pipe or a device (length 0), which is never opened
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        var buffer = new byte[BufferSize];
        using var carry = new MemoryStream();
        var skipping = false;
        long lineNumber = 0;
        var remaining = length;
        int read;
        while (remaining > 0 && (read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining))) > 0)
        {
            remaining -= read;
            cancellationToken.ThrowIfCancellationRequested();
            var span = buffer.AsSpan(0, read);
            while (true)
            {
                var newline = span.IndexOf((byte)'\n');
                if (newline < 0)
                {
                    if (!skipping && carry.Length + span.Length > maxLineBytes)
                    {
                        skipping = true;
                        carry.SetLength(0);
                    }

                    if (!skipping)
                    {
                        carry.Write(span);
                    }

                    break;
                }

                lineNumber++;
                if (skipping || carry.Length + newline > maxLineBytes)
                {
                    onProblem?.Invoke(lineNumber, AuditProblemKind.Malformed, TooLong(maxLineBytes));
                    skipping = false;
                    carry.SetLength(0);
                }
                else if (carry.Length > 0)
                {
                    carry.Write(span[..newline]);
                    onLine(lineNumber, carry.GetBuffer().AsSpan(0, (int)carry.Length));
                    carry.SetLength(0);
                }
                else
                {
                    onLine(lineNumber, span[..newline]);
                }

                span = span[(newline + 1)..];
            }
        }

        if (carry.Length > 0 || skipping)
        {
            onProblem?.Invoke(lineNumber + 1, AuditProblemKind.Truncated,
                "the file ends in the middle of a line (a write in progress, a torn write or a truncated file): not drawn");
        }
    }

    private static string TooLong(int maxLineBytes) => maxLineBytes >= 1024 * 1024 && maxLineBytes % (1024 * 1024) == 0
        ? string.Create(CultureInfo.InvariantCulture, $"a line longer than {maxLineBytes / (1024 * 1024)} MiB: not an audit record Sec0 writes, not drawn")
        : string.Create(CultureInfo.InvariantCulture, $"a line longer than {maxLineBytes} bytes: not an audit record Sec0 writes, not drawn");
}

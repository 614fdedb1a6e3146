using System.Text.Json;

namespace Sec0.Audit;

/// <summary>
/// Tells the files Sec0 wrote from files that only share their name: Sec0's TypeScript SDK, and other
/// tools, write <c>audit-YYYY-MM-DD.ndjson</c> too. Sec0 moves, truncates or deletes only files that start
/// with its own <c>file_start</c> record (or are empty).
/// </summary>
internal static class AuditFileOwnership
{
    // A file_start line is a few hundred bytes; a first line longer than this is not one.
    private const int MaxFirstLine = 16 * 1024;

    public enum Owner
    {
        /// <summary>Starts with a Sec0 <c>file_start</c> record (or with the torn start of one).</summary>
        Sec0,

        /// <summary>0 bytes: nothing to lose.</summary>
        Empty,

        /// <summary>Anything else.</summary>
        Foreign,
    }

    public static Owner Of(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            return Owner.Foreign; // Sec0 writes files, never links: whatever a link points to is not its to touch
        }

        if (info.Length == 0)
        {
            return Owner.Empty; // not opened: a named pipe has length 0 too, and opening it waits for a writer
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        if (stream.Length == 0)
        {
            return Owner.Empty;
        }

        var buffer = new byte[(int)Math.Min(stream.Length, MaxFirstLine)];
        stream.ReadExactly(buffer);
        var newline = buffer.AsSpan().IndexOf((byte)'\n');
        if (newline < 0)
        {
            // One torn line: Sec0's if it is the start of a file_start line, whose first member sorts first.
            var prefix = "{\"file\":\"audit-"u8;
            var n = Math.Min(prefix.Length, buffer.Length);
            return buffer.Length < MaxFirstLine && buffer.AsSpan(0, n).SequenceEqual(prefix[..n]) ? Owner.Sec0 : Owner.Foreign;
        }

        return IsFileStart(buffer.AsSpan(0, newline)) ? Owner.Sec0 : Owner.Foreign;
    }

    /// <summary>Throws when a file in <paramref name="files"/> was not written by Sec0.</summary>
    /// <exception cref="Sec0AuditException">A file was written by something else.</exception>
    public static void EnsureAllSec0(IEnumerable<string> files)
    {
        foreach (var path in files)
        {
            if (Of(path) == Owner.Foreign)
            {
                throw NotSec0(path);
            }
        }
    }

    public static Sec0AuditException NotSec0(string path) => new(
        Sec0AuditException.ForeignFileCode,
        $"[sec0-audit] \"{path}\" was not written by Sec0 for .NET: {(new FileInfo(path).LinkTarget is { } target ? $"it is a symbolic link (to {target}), and Sec0 never writes through a link in its folder" : "its first line is not a Sec0 file_start record")}. Sec0's TypeScript SDK and other tools name their files audit-YYYY-MM-DD.ndjson too, and Sec0 never moves, rewrites or deletes a file it did not create. Give Sec0 a folder of its own: set controlPlane.appenderDir (AuditAppenderOptions.Directory) to another directory, or move the file away.");

    private static bool IsFileStart(ReadOnlySpan<byte> line)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("record", out var record) && record.ValueKind == JsonValueKind.String && record.ValueEquals(AuditRecordKinds.FileStart)
                && root.TryGetProperty("seq", out var seq) && seq.ValueKind == JsonValueKind.Number
                && root.TryGetProperty("prev", out var prev) && prev.ValueKind == JsonValueKind.String;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

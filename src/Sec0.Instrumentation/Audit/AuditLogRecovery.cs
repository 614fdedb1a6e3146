using System.Globalization;
using System.Text.Json;

namespace Sec0.Audit;

/// <summary>
/// Start-up recovery of an audit directory: finds where the chain ends, moves a torn last line (a crash
/// mid-write) aside into a side file, and reports unsigned lines at the end that a signed record must
/// seal. Intact lines are never rewritten; a file is only truncated at the end of its last intact line.
/// </summary>
internal static class AuditLogRecovery
{
    public sealed record Result(AuditChain Chain, DateOnly? LastDay, IReadOnlyList<TornSegment> Torn, long UnsealedFromSeq);

    public sealed record TornSegment(string File, string SideFile, long Bytes);

    public static Result Recover(string directory, DateTimeOffset now)
    {
        var files = AuditFileNames.List(directory);
        var torn = new List<TornSegment>();
        for (var i = files.Count - 1; i >= 0; i--)
        {
            var (day, path) = files[i];
            var last = ReadLastIntactLine(path, now, torn);
            if (last is null)
            {
                continue; // empty file: the chain ends in an earlier one
            }

            var (bytes, seq, signed, unsealedFrom) = last.Value;
            var hash = Sha256Hex.Of(bytes);
            return new Result(new AuditChain(seq, hash), day, torn, signed ? 0 : unsealedFrom);
        }

        return new Result(AuditChain.Genesis, files.Count > 0 ? files[^1].Day : null, torn, 0);
    }

    /// <summary>
    /// Returns the last line that parses as a record, after moving any trailing bytes that don't (a torn
    /// write) into a side file. Also finds the first unsigned line of an unsigned tail.
    /// </summary>
    private static (byte[] Line, long Seq, bool Signed, long UnsealedFrom)? ReadLastIntactLine(string path, DateTimeOffset now, List<TornSegment> torn)
    {
        var content = File.ReadAllBytes(path);
        var end = content.Length;
        while (end > 0)
        {
            // The last complete line ends at the last '\n' of the content; anything after it is torn.
            var lastNewline = content.AsSpan(0, end).LastIndexOf((byte)'\n');
            if (lastNewline != end - 1)
            {
                var tornStart = lastNewline + 1;
                MoveAside(path, content, tornStart, end, now, torn);
                end = tornStart;
                continue;
            }

            var lineStart = content.AsSpan(0, lastNewline).LastIndexOf((byte)'\n') + 1;
            var line = content.AsSpan(lineStart, lastNewline - lineStart);
            if (TryReadRecord(line, out var seq, out var signed))
            {
                var unsealedFrom = signed ? 0 : FindUnsealedStart(content, lineStart, seq);
                return (line.ToArray(), seq, signed, unsealedFrom);
            }

            // A newline-terminated line that is not a record (e.g. zeros after a power loss): also torn.
            MoveAside(path, content, lineStart, end, now, torn);
            end = lineStart;
        }

        return null;
    }

    private static long FindUnsealedStart(byte[] content, int lastLineStart, long lastSeq)
    {
        var first = lastSeq;
        var end = lastLineStart - 1;
        while (end > 0)
        {
            var start = content.AsSpan(0, end).LastIndexOf((byte)'\n') + 1;
            if (!TryReadRecord(content.AsSpan(start, end - start), out var seq, out var signed) || signed)
            {
                break;
            }

            first = seq;
            end = start - 1;
        }

        // The unsigned run may continue into the previous file; the seal covers it all through the chain.
        return first;
    }

    private static void MoveAside(string path, byte[] content, int start, int end, DateTimeOffset now, List<TornSegment> torn)
    {
        var side = path + ".torn-" + now.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture) + "-" + torn.Count.ToString(CultureInfo.InvariantCulture);
        using (var s = new FileStream(side, FileMode.CreateNew, FileAccess.Write))
        {
            s.Write(content, start, end - start);
            s.Flush(flushToDisk: true);
        }

        using (var f = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            f.SetLength(start);
            f.Flush(flushToDisk: true);
        }

        torn.Add(new TornSegment(Path.GetFileName(path), Path.GetFileName(side), end - start));
    }

    internal static bool TryReadRecord(ReadOnlySpan<byte> line, out long seq, out bool signed)
    {
        seq = 0;
        signed = false;
        try
        {
            var reader = new Utf8JsonReader(line);
            using var doc = JsonDocument.ParseValue(ref reader);
            if (reader.BytesConsumed != line.Length || doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            var root = doc.RootElement;
            if (!root.TryGetProperty("seq", out var s) || !s.TryGetInt64(out seq) || !root.TryGetProperty("prev", out _))
            {
                return false;
            }

            signed = root.TryGetProperty("sig", out _);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

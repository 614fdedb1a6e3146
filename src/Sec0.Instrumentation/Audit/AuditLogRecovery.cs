using System.Globalization;

namespace Sec0.Audit;

/// <summary>
/// Start-up recovery of an audit directory, with the writer's public key: refuses a directory holding
/// files Sec0 did not write, finds the last line that is authentically the writer's, moves everything after
/// it that is not a valid continuation (a torn write, garbage, unsigned or badly signed lines) into a side
/// file, reports the unsigned tail a checkpoint-mode crash left for a signed record to seal, and compares
/// where the log ends with the head file the writer keeps beside it. Intact lines are never rewritten; a
/// file is only ever truncated at the end of a line it keeps.
/// </summary>
internal static class AuditLogRecovery
{
    // How far back a lagging head may point (a crash between writing a batch and the head): more than one
    // file back is not a lag.
    private const int HeadSearchFiles = 2;

    public sealed record Result(
        AuditChain Chain,
        DateOnly? LastDay,
        IReadOnlyList<MovedSegment> Torn,
        IReadOnlyList<MovedSegment> Rejected,
        long UnsealedFromSeq,
        AuditSigningMode? ModeAtEnd,
        string? Instance,
        HeadMismatch? Head);

    /// <summary>Bytes moved out of <paramref name="File"/> into <paramref name="SideFile"/>.</summary>
    /// <param name="File">The audit file.</param>
    /// <param name="SideFile">The side file beside it.</param>
    /// <param name="Bytes">How many bytes.</param>
    /// <param name="Lines">How many complete lines (0 for a torn last line).</param>
    /// <param name="FirstSeq">The lowest <c>seq</c> among them, if any is a record.</param>
    /// <param name="LastSeq">The highest <c>seq</c> among them, if any is a record.</param>
    /// <param name="Reason">Why: <c>incomplete</c>, <c>not_a_record</c>, <c>unsigned</c>, <c>bad_signature</c>, <c>not_canonical</c>, <c>broken_chain</c>.</param>
    public sealed record MovedSegment(string File, string SideFile, long Bytes, long Lines, long? FirstSeq, long? LastSeq, string Reason);

    /// <summary>The log does not end where the head file says the writer left it.</summary>
    /// <param name="Reason"><c>log_shorter</c>, <c>line_differs</c> or <c>head_missing</c>.</param>
    /// <param name="Head">What the head file said, if there is one.</param>
    /// <param name="LogSeq">Where the log ends: its last line's seq.</param>
    /// <param name="LogHash">And that line's hash.</param>
    public sealed record HeadMismatch(string Reason, AuditHead? Head, long LogSeq, string LogHash);

    public static Result Recover(string directory, DateTimeOffset now, AuditLineReader reader)
    {
        var files = AuditFileNames.List(directory);
        AuditFileOwnership.EnsureAllSec0(files.Select(f => f.Path));

        var torn = new List<MovedSegment>();
        var rejected = new List<MovedSegment>();
        var chain = AuditChain.Genesis;
        long unsealedFrom = 0;
        AuditSigningMode? mode = null;
        string? instance = null;
        var hasLines = false;
        for (var i = files.Count - 1; i >= 0 && !hasLines; i--)
        {
            var path = files[i].Path;
            if (new FileInfo(path).Length == 0)
            {
                continue; // empty (or a named pipe, which must not be opened)
            }

            var end = RecoverFile(path, now, reader, torn, rejected);
            if (end is null)
            {
                continue; // empty, or nothing in it was the writer's: the chain ends in an earlier file
            }

            hasLines = true;
            (chain, unsealedFrom, mode) = end.Value;
            instance = FirstLineText(path, reader, "instance");
        }

        // Empty files hold nothing (a crash right after creating one, a file whose every line recovery moved
        // aside, or one planted with a later date to pin the writer to it): they go, and the day the writer
        // may not go back before is that of the newest file with lines.
        foreach (var (_, path) in files)
        {
            if (new FileInfo(path).Length == 0)
            {
                File.Delete(path);
            }
        }

        files = AuditFileNames.List(directory);
        var lastDay = files.Count > 0 ? files[^1].Day : (DateOnly?)null;
        var head = hasLines || AuditHead.Read(directory) is not null ? CheckHead(directory, chain, instance, files) : null;
        return new Result(chain, lastDay, torn, rejected, unsealedFrom, mode, instance, head);
    }

    /// <summary>
    /// Recovers one file: returns where its chain ends, the first seq of an unsigned tail to seal (0 when
    /// none) and the signing mode in force at its end; null when no line of it is kept.
    /// </summary>
    private static (AuditChain Chain, long UnsealedFrom, AuditSigningMode? Mode)? RecoverFile(
        string path, DateTimeOffset now, AuditLineReader reader, List<MovedSegment> torn, List<MovedSegment> rejected)
    {
        long completeLength, length;
        var lines = new List<TailLine>();
        var anchor = -1;
        using (var tail = new AuditFileTail(path))
        {
            completeLength = tail.CompleteLength;
            length = tail.Length;

            // Back from the end to the last line the key vouches for (or another key signed: not ours to judge)
            // that sits where it was written: right after the line it chains from, or first in the file it names.
            // A genuine line copied to the end (from earlier in the log, or another log with the same key) is
            // signed too, but chaining on from it would fork the chain: it is moved aside like a forged one.
            var name = Path.GetFileName(path);
            var have = tail.TryReadPrevious(out var offset, out var line);
            while (have)
            {
                var status = reader.Read(line, out var info);
                var current = new TailLine(offset, status, info, Sha256Hex.Of(line));
                lines.Add(current);
                have = tail.TryReadPrevious(out offset, out line);
                if (status is AuditLineStatus.Valid or AuditLineStatus.OtherKey
                    && (have ? Follows(info, line) : info.Record == AuditRecordKinds.FileStart && info.Text("file") == name))
                {
                    anchor = lines.Count - 1;
                    break;
                }
            }
        }

        lines.Reverse();
        anchor = anchor < 0 ? -1 : 0;
        var mode = anchor < 0 ? null : ModeAt(lines[0].Info);

        // Forward from there: only unsigned envelopes that chain on, where the signing mode allows them.
        var cut = anchor < 0 ? 0 : lines.Count;
        var reason = "broken_chain";
        for (var i = 1; anchor >= 0 && i < lines.Count; i++)
        {
            var line = lines[i];
            var previous = lines[i - 1];
            if (line.Status != AuditLineStatus.Unsigned || !line.Info.IsEnvelope || mode == AuditSigningMode.PerEnvelope
                || line.Info.Seq != previous.Info.Seq + 1 || !string.Equals(line.Info.Prev, previous.Hash, StringComparison.Ordinal))
            {
                cut = i;
                reason = ReasonFor(line, mode);
                break;
            }
        }

        if (length > completeLength)
        {
            torn.Add(MoveAside(path, completeLength, length, now, ".torn-", torn.Count + rejected.Count, 0, [], "incomplete"));
        }

        if (cut < lines.Count)
        {
            var moved = lines.GetRange(cut, lines.Count - cut);
            var records = moved.Where(static l => l.Status != AuditLineStatus.Malformed).ToList();
            var start = moved[0].Offset;
            if (records.Count == 0)
            {
                torn.Add(MoveAside(path, start, completeLength, now, ".torn-", torn.Count + rejected.Count, moved.Count, records, "not_a_record"));
            }
            else
            {
                rejected.Add(MoveAside(path, start, completeLength, now, ".rejected-", torn.Count + rejected.Count, moved.Count, records, anchor < 0 ? "no_signed_line" : reason));
            }
        }

        if (cut == 0)
        {
            return null;
        }

        var last = lines[cut - 1];
        var unsealedFrom = cut > 1 ? lines[1].Info.Seq : 0;
        return (new AuditChain(last.Info.Seq, last.Hash), unsealedFrom, mode);
    }

    /// <summary>True when <paramref name="info"/> chains from <paramref name="before"/>: its prev is that line's hash, its seq the next one.</summary>
    private static bool Follows(in AuditLineInfo info, ReadOnlySpan<byte> before)
        => AuditLineReader.ReadSeq(before) is { } seq && info.Seq == seq + 1 && string.Equals(info.Prev, Sha256Hex.Of(before), StringComparison.Ordinal);

    /// <summary>
    /// The signing mode in force at a line the key vouches for: a signed envelope is only written in
    /// per-envelope mode; a record says its mode (records of logs from before that say nothing).
    /// </summary>
    private static AuditSigningMode? ModeAt(AuditLineInfo line) => line.IsEnvelope ? AuditSigningMode.PerEnvelope : line.Signing;

    private static string ReasonFor(TailLine line, AuditSigningMode? mode) => line.Status switch
    {
        AuditLineStatus.Malformed => "not_a_record",
        AuditLineStatus.BadSignature => "bad_signature",
        AuditLineStatus.NonCanonical => "not_canonical",
        AuditLineStatus.Unsigned when !line.Info.IsEnvelope || mode == AuditSigningMode.PerEnvelope => "unsigned",
        _ => "broken_chain",
    };

    private static MovedSegment MoveAside(string path, long start, long end, DateTimeOffset now, string suffix, int index, long lines, List<TailLine> records, string reason)
    {
        var side = path + suffix + now.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture) + "-" + index.ToString(CultureInfo.InvariantCulture);
        using (var source = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read))
        {
            using (var target = new FileStream(side, FileMode.CreateNew, FileAccess.Write))
            {
                source.Position = start;
                var buffer = new byte[64 * 1024];
                for (var remaining = end - start; remaining > 0;)
                {
                    var n = source.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
                    if (n == 0)
                    {
                        throw new IOException($"{path} shrank while its end was being moved aside.");
                    }

                    target.Write(buffer, 0, n);
                    remaining -= n;
                }

                target.Flush(flushToDisk: true);
            }

            // Only once the bytes are safe in the side file.
            source.SetLength(start);
            source.Flush(flushToDisk: true);
        }

        long? first = records.Count > 0 ? records.Min(static r => r.Info.Seq) : null;
        long? last = records.Count > 0 ? records.Max(static r => r.Info.Seq) : null;
        return new MovedSegment(Path.GetFileName(path), Path.GetFileName(side), end - start, lines, first, last, reason);
    }

    private static string? FirstLineText(string path, AuditLineReader reader, string member)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        var buffer = new byte[(int)Math.Min(stream.Length, 16 * 1024)];
        stream.ReadExactly(buffer);
        var newline = buffer.AsSpan().IndexOf((byte)'\n');
        if (newline < 0)
        {
            return null;
        }

        var status = reader.Read(buffer.AsSpan(0, newline), out var info);
        return status is AuditLineStatus.Valid or AuditLineStatus.OtherKey && info.Record == AuditRecordKinds.FileStart ? info.Text(member) : null;
    }

    /// <summary>Compares where the log ends with the head file; null when they agree.</summary>
    private static HeadMismatch? CheckHead(string directory, AuditChain end, string? instance, List<(DateOnly Day, string Path)> files)
    {
        var head = AuditHead.Read(directory);
        if (head is not { } h)
        {
            // Logs from before the head file have no instance id: their first start writes one, no alarm. A head
            // file that is there but holds no head was created by a writer killed before its first head write
            // (the file is created first, then the first lines are written, then the head): no alarm either.
            // Only a missing file says the head was deleted.
            var there = File.Exists(Path.Combine(directory, AuditHead.FileName));
            return instance is not null && !there ? new HeadMismatch("head_missing", null, end.Seq, end.PrevHash) : null;
        }

        if (h.Seq == end.Seq)
        {
            return string.Equals(h.Hash, end.PrevHash, StringComparison.Ordinal) ? null : new HeadMismatch("line_differs", h, end.Seq, end.PrevHash);
        }

        if (h.Seq > end.Seq)
        {
            return new HeadMismatch("log_shorter", h, end.Seq, end.PrevHash);
        }

        // The log goes on past the head: a crash between a batch and the head write. The head's line must be there.
        var searched = 0;
        for (var i = files.Count - 1; i >= 0 && searched < HeadSearchFiles; i--)
        {
            if (new FileInfo(files[i].Path).Length == 0)
            {
                continue;
            }

            using var tail = new AuditFileTail(files[i].Path);
            var any = false;
            while (tail.TryReadPrevious(out _, out var line))
            {
                any = true;
                var seq = AuditLineReader.ReadSeq(line);
                if (seq == h.Seq)
                {
                    return Sha256Hex.Of(line) == h.Hash ? null : new HeadMismatch("line_differs", h, end.Seq, end.PrevHash);
                }

                if (seq < h.Seq)
                {
                    return new HeadMismatch("line_differs", h, end.Seq, end.PrevHash);
                }
            }

            searched += any ? 1 : 0;
        }

        return new HeadMismatch("line_differs", h, end.Seq, end.PrevHash);
    }

    private readonly record struct TailLine(long Offset, AuditLineStatus Status, AuditLineInfo Info, string Hash);
}

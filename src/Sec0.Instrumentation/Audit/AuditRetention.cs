using System.Text.Json;

namespace Sec0.Audit;

/// <summary>
/// Deletes daily files older than the retention window, and finds out whether what it keeps continues
/// exactly from what it deleted: only then may the writer sign an anchor for the kept chain's start.
/// </summary>
internal static class AuditRetention
{
    // As in the verifier: a longer line is not a Sec0 record.
    private const int MaxLineBytes = 64 * 1024 * 1024;

    /// <summary>What a retention pass did.</summary>
    /// <param name="Deleted">The names deleted, oldest first.</param>
    /// <param name="NotOurs">Old files left alone because Sec0 did not write them.</param>
    /// <param name="LastDeleted">The last line of the newest deleted file, when that file is one unbroken piece of the chain from its own file_start.</param>
    /// <param name="FirstKept">Where the kept chain starts: the first line of the oldest file left.</param>
    /// <param name="HeldForUpload">Expired Sec0 files kept because the deletion predicate refused the oldest of them (not uploaded yet).</param>
    public sealed record Outcome(IReadOnlyList<string> Deleted, IReadOnlyList<string> NotOurs, AuditHead? LastDeleted, (string File, long Seq, string Prev)? FirstKept, int HeldForUpload = 0)
    {
        /// <summary>The kept chain starts at the genesis line: nothing before it to anchor.</summary>
        public bool KeptStartsAtGenesis => FirstKept is { Seq: 1, Prev: AuditChain.GenesisHash };

        /// <summary>The kept chain's first line names the last line this pass deleted as its predecessor.</summary>
        public bool ContinuesFromDeleted => LastDeleted is { } last && FirstKept is { } first
            && first.Seq == last.Seq + 1 && string.Equals(first.Prev, last.Hash, StringComparison.Ordinal);
    }

    /// <summary>
    /// Deletes the Sec0 files whose day is before <c>today - retentionDays</c>, never the file being
    /// written and never a file another tool wrote. With <paramref name="canDelete"/>, only the oldest run of
    /// expired Sec0 files it allows goes: the first file it refuses (or throws for) and everything newer stay.
    /// </summary>
    /// <remarks>
    /// Stopping at the first refusal keeps what is deleted a prefix of the log, which is what the anchor logic
    /// below needs: skipping a refused file and deleting a newer one would cut the kept chain in its middle.
    /// </remarks>
    public static Outcome Apply(string directory, int retentionDays, DateOnly today, string? currentFile, Func<string, bool>? canDelete = null)
    {
        var deleted = new List<string>();
        var notOurs = new List<string>();
        if (retentionDays <= 0)
        {
            return new Outcome(deleted, notOurs, null, null);
        }

        var cutoff = today.AddDays(-retentionDays);
        AuditHead? lastDeleted = null;
        var held = 0;
        foreach (var (day, path) in AuditFileNames.List(directory))
        {
            if (day >= cutoff || string.Equals(path, currentFile, StringComparison.Ordinal))
            {
                continue;
            }

            var owner = AuditFileOwnership.Of(path);
            if (owner == AuditFileOwnership.Owner.Foreign)
            {
                notOurs.Add(Path.GetFileName(path));
                continue;
            }

            if (held > 0 || (owner == AuditFileOwnership.Owner.Sec0 && canDelete is not null && !Allows(canDelete, Path.GetFileName(path))))
            {
                // Kept, and so is every expired file after it (counted for the caller's log line).
                if (owner == AuditFileOwnership.Owner.Sec0)
                {
                    held++;
                }

                continue;
            }

            if (owner == AuditFileOwnership.Owner.Sec0)
            {
                // The chain's end among the deleted files is the newest one's last line, provided that file is
                // one unbroken piece of the chain from its own file_start (see ChainEnd).
                lastDeleted = ChainEnd(path);
            }

            File.Delete(path);
            deleted.Add(Path.GetFileName(path));
        }

        return new Outcome(deleted, notOurs, lastDeleted, deleted.Count > 0 ? FirstKeptLine(directory) : null, held);
    }

    /// <summary>Asks the predicate; an exception counts as "not yet": keeping a file is always safe.</summary>
    private static bool Allows(Func<string, bool> canDelete, string fileName)
    {
        try
        {
            return canDelete(fileName);
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <summary>The first line (file, seq and prev) of the oldest non-empty file left.</summary>
    private static (string File, long Seq, string Prev)? FirstKeptLine(string directory)
    {
        foreach (var (_, path) in AuditFileNames.List(directory))
        {
            if (AuditFileOwnership.Of(path) != AuditFileOwnership.Owner.Sec0)
            {
                continue; // empty, a pipe or a link: nothing Sec0 wrote to start the kept log
            }

            using var line = FirstLine(path);
            if (line is not null && line.RootElement.TryGetProperty("seq", out var seq) && seq.TryGetInt64(out var s)
                && line.RootElement.TryGetProperty("prev", out var prev) && prev.ValueKind == JsonValueKind.String)
            {
                return (Path.GetFileName(path), s, prev.GetString()!);
            }
        }

        return null;
    }

    /// <summary>
    /// The last line of a file retention deletes, when the whole file is one unbroken piece of the chain: its
    /// first line is the file_start that names it, every later line's <c>prev</c> is the hash of the line
    /// before and its <c>seq</c> the next one, and no later line is a file_start. Otherwise null.
    /// </summary>
    /// <remarks>
    /// Only then does "the kept log continues from the last line deleted" mean nothing inside the window was
    /// deleted: the kept log's first line fixes the bytes of the line before it, that line's <c>prev</c> the one
    /// before, and so on back to this file's start. The last line alone proves nothing: a copy of the line the
    /// kept log chains from, appended to an old file, or newer files appended whole (file_starts and all),
    /// would make files deleted inside the window look like old ones. Signatures are not needed for this (the
    /// hashes pin every line), so a log signed with an earlier key is judged the same way.
    /// </remarks>
    private static AuditHead? ChainEnd(string path)
    {
        var name = Path.GetFileName(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        var buffer = new byte[1 << 16];
        var carry = new ByteBuffer(1 << 12);
        long lines = 0, seq = 0;
        string? hash = null;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            var span = buffer.AsSpan(0, read);
            for (var nl = span.IndexOf((byte)'\n'); nl >= 0; nl = span.IndexOf((byte)'\n'))
            {
                ReadOnlySpan<byte> line;
                if (carry.Count > 0)
                {
                    carry.Write(span[..nl]);
                    line = carry.WrittenSpan;
                }
                else
                {
                    line = span[..nl];
                }

                if (!TryChainFields(line, out var lineSeq, out var prev, out var record, out var file)
                    || (lines == 0
                        ? record != AuditRecordKinds.FileStart || file != name
                        : record == AuditRecordKinds.FileStart || lineSeq != seq + 1 || !string.Equals(prev, hash, StringComparison.Ordinal)))
                {
                    return null;
                }

                hash = Sha256Hex.Of(line);
                seq = lineSeq;
                lines++;
                carry.Clear();
                span = span[(nl + 1)..];
            }

            if (carry.Count + span.Length > MaxLineBytes)
            {
                return null; // not a line Sec0 writes
            }

            carry.Write(span);
        }

        // Bytes after the last newline (a torn write) are not a line.
        return lines == 0 ? null : new AuditHead(seq, hash!);
    }

    /// <summary>The top-level <c>seq</c>, <c>prev</c>, <c>record</c> and <c>file</c> of a line; false when it is not a JSON object with a seq.</summary>
    private static bool TryChainFields(ReadOnlySpan<byte> line, out long seq, out string? prev, out string? record, out string? file)
    {
        seq = 0;
        prev = record = file = null;
        var hasSeq = false;
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var member = reader.ValueTextEquals("seq"u8) ? 1 : reader.ValueTextEquals("prev"u8) ? 2 : reader.ValueTextEquals("record"u8) ? 3 : reader.ValueTextEquals("file"u8) ? 4 : 0;
                reader.Read();
                switch (member)
                {
                    case 1 when reader.TokenType == JsonTokenType.Number:
                        hasSeq = reader.TryGetInt64(out seq);
                        break;
                    case 2 when reader.TokenType == JsonTokenType.String:
                        prev = reader.GetString();
                        break;
                    case 3 when reader.TokenType == JsonTokenType.String:
                        record = reader.GetString();
                        break;
                    case 4 when reader.TokenType == JsonTokenType.String:
                        file = reader.GetString();
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }

        return hasSeq;
    }

    private static JsonDocument? FirstLine(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        var buffer = new byte[(int)Math.Min(stream.Length, 16 * 1024)];
        stream.ReadExactly(buffer);
        var newline = buffer.AsSpan().IndexOf((byte)'\n');
        try
        {
            var document = newline > 0 ? JsonDocument.Parse(buffer.AsMemory(0, newline)) : null;
            if (document is not null && document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                return null;
            }

            return document;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

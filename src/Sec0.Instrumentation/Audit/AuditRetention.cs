using System.Text.Json;

namespace Sec0.Audit;

/// <summary>
/// Deletes daily files older than the retention window, and finds out whether what it keeps continues
/// exactly from what it deleted: only then may the writer sign an anchor for the kept chain's start.
/// </summary>
internal static class AuditRetention
{
    /// <summary>What a retention pass did.</summary>
    /// <param name="Deleted">The names deleted, oldest first.</param>
    /// <param name="NotOurs">Old files left alone because Sec0 did not write them.</param>
    /// <param name="LastDeleted">The last line of the newest deleted file, when it is a file that names itself.</param>
    /// <param name="FirstKept">Where the kept chain starts: the first line of the oldest file left.</param>
    public sealed record Outcome(IReadOnlyList<string> Deleted, IReadOnlyList<string> NotOurs, AuditHead? LastDeleted, (string File, long Seq, string Prev)? FirstKept)
    {
        /// <summary>The kept chain starts at the genesis line: nothing before it to anchor.</summary>
        public bool KeptStartsAtGenesis => FirstKept is { Seq: 1, Prev: AuditChain.GenesisHash };

        /// <summary>The kept chain's first line names the last line this pass deleted as its predecessor.</summary>
        public bool ContinuesFromDeleted => LastDeleted is { } last && FirstKept is { } first
            && first.Seq == last.Seq + 1 && string.Equals(first.Prev, last.Hash, StringComparison.Ordinal);
    }

    /// <summary>
    /// Deletes the Sec0 files whose day is before <c>today - retentionDays</c>, never the file being
    /// written and never a file another tool wrote.
    /// </summary>
    public static Outcome Apply(string directory, int retentionDays, DateOnly today, string? currentFile)
    {
        var deleted = new List<string>();
        var notOurs = new List<string>();
        if (retentionDays <= 0)
        {
            return new Outcome(deleted, notOurs, null, null);
        }

        var cutoff = today.AddDays(-retentionDays);
        AuditHead? lastDeleted = null;
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

            if (owner == AuditFileOwnership.Owner.Sec0)
            {
                // The chain's end among the deleted files is the newest one's last line, provided that file is
                // where its file_start says it is (a later file renamed into the window must not pass for it).
                lastDeleted = FileStartNames(path) ? AuditHead.FromLog(path) : null;
            }

            File.Delete(path);
            deleted.Add(Path.GetFileName(path));
        }

        return new Outcome(deleted, notOurs, lastDeleted, deleted.Count > 0 ? FirstKeptLine(directory) : null);
    }

    /// <summary>The first line (file, seq and prev) of the oldest non-empty file left.</summary>
    private static (string File, long Seq, string Prev)? FirstKeptLine(string directory)
    {
        foreach (var (_, path) in AuditFileNames.List(directory))
        {
            using var line = FirstLine(path);
            if (line is not null && line.RootElement.TryGetProperty("seq", out var seq) && seq.TryGetInt64(out var s)
                && line.RootElement.TryGetProperty("prev", out var prev) && prev.ValueKind == JsonValueKind.String)
            {
                return (Path.GetFileName(path), s, prev.GetString()!);
            }
        }

        return null;
    }

    private static bool FileStartNames(string path)
    {
        using var line = FirstLine(path);
        return line is not null
            && line.RootElement.TryGetProperty("file", out var file) && file.ValueKind == JsonValueKind.String && file.ValueEquals(Path.GetFileName(path))
            && line.RootElement.TryGetProperty("record", out var record) && record.ValueKind == JsonValueKind.String && record.ValueEquals(AuditRecordKinds.FileStart);
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

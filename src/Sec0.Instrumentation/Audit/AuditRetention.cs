namespace Sec0.Audit;

/// <summary>Deletes daily files older than the retention window.</summary>
internal static class AuditRetention
{
    /// <summary>
    /// Deletes files whose day is before <c>today - retentionDays</c>, never the file being written.
    /// Returns the names deleted, oldest first.
    /// </summary>
    public static List<string> Apply(string directory, int retentionDays, DateOnly today, string? currentFile)
    {
        var deleted = new List<string>();
        if (retentionDays <= 0)
        {
            return deleted;
        }

        var cutoff = today.AddDays(-retentionDays);
        foreach (var (day, path) in AuditFileNames.List(directory))
        {
            if (day < cutoff && !string.Equals(path, currentFile, StringComparison.Ordinal))
            {
                File.Delete(path);
                deleted.Add(Path.GetFileName(path));
            }
        }

        return deleted;
    }

    /// <summary>The first line (seq and prev) of the oldest file left, where the retained chain starts.</summary>
    public static (long Seq, string Prev)? FirstRetainedLine(string directory)
    {
        foreach (var (_, path) in AuditFileNames.List(directory))
        {
            using var reader = new StreamReader(path);
            var line = reader.ReadLine();
            if (string.IsNullOrEmpty(line))
            {
                continue;
            }

            using var doc = System.Text.Json.JsonDocument.Parse(line);
            var root = doc.RootElement;
            return (root.GetProperty("seq").GetInt64(), root.GetProperty("prev").GetString() ?? "");
        }

        return null;
    }
}

using Sec0.Files;

namespace Sec0.Scanning;

/// <summary>
/// The set of body hashes the previous start saw, in a small file under <c>sec0Dir</c>, so
/// <c>scan_all_on_server_change</c> can tell whether the server's code changed between starts.
/// </summary>
internal static class ScanManifestState
{
    /// <summary>The file name under <c>&lt;sec0Dir&gt;/scans/</c>.</summary>
    public const string FileName = "sast-manifest-hashes.txt";

    /// <summary>
    /// Compares <paramref name="hashes"/> with the saved set and saves the new one. True when they differ,
    /// including when no set was saved yet or the saved file can't be read (unknown counts as changed).
    /// </summary>
    public static bool Update(string directory, IEnumerable<string> hashes)
    {
        var current = hashes.Where(h => h.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var path = Path.Combine(directory, FileName);
        string[]? saved = null;
        try
        {
            if (File.Exists(path))
            {
                saved = [.. File.ReadAllLines(path).Where(l => l.Length > 0).Order(StringComparer.Ordinal)];
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        var changed = saved is null || !saved.SequenceEqual(current, StringComparer.Ordinal);
        if (changed)
        {
            AtomicFile.Write(path, stream =>
            {
                using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true);
                foreach (var line in current)
                {
                    writer.WriteLine(line);
                }
            });
        }

        return changed;
    }
}

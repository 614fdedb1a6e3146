using System.Globalization;

namespace Sec0.Audit;

/// <summary>Names of the daily audit files: <c>audit-YYYY-MM-DD.ndjson</c> (UTC day).</summary>
internal static class AuditFileNames
{
    public const string Prefix = "audit-";
    public const string Extension = ".ndjson";
    public const string LockFileName = ".sec0-audit.lock";

    public static string ForDay(DateOnly day) => string.Create(CultureInfo.InvariantCulture, $"{Prefix}{day:yyyy-MM-dd}{Extension}");

    public static bool TryParseDay(string fileName, out DateOnly day)
    {
        day = default;
        if (!fileName.StartsWith(Prefix, StringComparison.Ordinal) || !fileName.EndsWith(Extension, StringComparison.Ordinal))
        {
            return false;
        }

        var middle = fileName.AsSpan(Prefix.Length, fileName.Length - Prefix.Length - Extension.Length);
        return DateOnly.TryParseExact(middle, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
    }

    /// <summary>The daily files of a directory, oldest first.</summary>
    public static List<(DateOnly Day, string Path)> List(string directory)
    {
        var files = new List<(DateOnly, string)>();
        if (!Directory.Exists(directory))
        {
            return files;
        }

        foreach (var path in Directory.EnumerateFiles(directory, Prefix + "*" + Extension))
        {
            if (TryParseDay(Path.GetFileName(path), out var day))
            {
                files.Add((day, path));
            }
        }

        files.Sort(static (a, b) => a.Item1.CompareTo(b.Item1));
        return files;
    }

    /// <summary>
    /// How many bytes of a file to read: its length when it is (or links to) a regular file. A named pipe, a
    /// device or a link to one has length 0 and must never be opened: opening a pipe waits for a writer, and
    /// a device such as /dev/zero never ends.
    /// </summary>
    public static long LengthToRead(string path)
    {
        FileSystemInfo info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            info = File.ResolveLinkTarget(path, returnFinalTarget: true) ?? info;
        }

        return info is FileInfo { Exists: true } file ? file.Length : 0;
    }
}

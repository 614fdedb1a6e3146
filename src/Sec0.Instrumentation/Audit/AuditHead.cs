using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Sec0.Audit;

/// <summary>
/// Where an audit log ends: the <c>seq</c> of its last line and the SHA-256 hex of that line's bytes,
/// written <c>&lt;seq&gt;:&lt;hash&gt;</c>. Every line chains to the one before, so a head pins everything up to
/// it: a log that is cut short, rewritten, or replaced by another log (each log has its own instance id)
/// no longer contains it. Keep heads somewhere the log's writer cannot change them (<c>sec0 head</c>), and
/// check a log against one with <c>sec0 verify --expect-head</c>.
/// </summary>
/// <param name="Seq">The last line's sequence number.</param>
/// <param name="Hash">The lowercase SHA-256 hex of the last line's bytes (without its newline).</param>
public readonly record struct AuditHead(long Seq, string Hash)
{
    /// <summary>The file beside the log in which the appender keeps the head it last wrote.</summary>
    public const string FileName = ".sec0-audit.head";

    /// <summary><c>&lt;seq&gt;:&lt;hash&gt;</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Seq}:{Hash}");

    /// <summary>Parses <c>&lt;seq&gt;:&lt;hash&gt;</c> (as <see cref="ToString"/> writes it).</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out AuditHead head)
    {
        head = default;
        var trimmed = text.AsSpan().Trim();
        var colon = trimmed.IndexOf(':');
        if (colon <= 0
            || !long.TryParse(trimmed[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var seq) || seq < 1
            || trimmed.Length - colon - 1 != 64)
        {
            return false;
        }

        var hash = trimmed[(colon + 1)..];
        foreach (var c in hash)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        head = new AuditHead(seq, hash.ToString());
        return true;
    }

    /// <summary>Parses <c>&lt;seq&gt;:&lt;hash&gt;</c>.</summary>
    /// <exception cref="FormatException">The text is not a head.</exception>
    public static AuditHead Parse(string text)
        => TryParse(text, out var head)
            ? head
            : throw new FormatException($"[sec0] \"{text}\" is not an audit head: expected <seq>:<sha256 hex of the line>, as `sec0 head <dir>` prints it.");

    /// <summary>
    /// The head the appender last wrote into <c>.sec0-audit.head</c> in <paramref name="directory"/>, or null when
    /// there is none (or it cannot be read as a head).
    /// </summary>
    public static AuditHead? Read(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var path = Path.Combine(directory, FileName);
        var info = new FileInfo(path);
        if (info.LinkTarget is not null || !info.Exists || info.Length is 0 or > 1024)
        {
            return null; // the appender writes a small regular file; a link or a pipe is not it (nor opened)
        }

        try
        {
            return TryParse(File.ReadAllText(path), out var head) ? head : null;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// The head of the log itself: the last complete line of the newest non-empty audit file in
    /// <paramref name="path"/> (a directory, or one file), or null when there is no line.
    /// </summary>
    /// <exception cref="IOException">A file cannot be read.</exception>
    public static AuditHead? FromLog(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var files = Directory.Exists(path) ? AuditFileNames.List(path).Select(f => f.Path).ToList() : [path];
        for (var i = files.Count - 1; i >= 0; i--)
        {
            if (AuditFileNames.LengthToRead(files[i]) == 0)
            {
                continue; // empty, or a pipe or device that must not be opened
            }

            using var tail = new AuditFileTail(files[i]);
            if (tail.TryReadPrevious(out _, out var line))
            {
                var seq = AuditLineReader.ReadSeq(line);
                return seq is { } s ? new AuditHead(s, Sha256Hex.Of(line)) : null;
            }
        }

        return null;
    }
}

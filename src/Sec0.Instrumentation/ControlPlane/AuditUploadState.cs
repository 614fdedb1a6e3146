using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Sec0.Audit;
using Sec0.Files;

namespace Sec0.ControlPlane;

/// <summary>
/// The confirmed uploads in <c>&lt;stateDirectory&gt;/uploads.json</c>, by daily file name: length, SHA-256, object key,
/// when, and the file's last-write time (so an unchanged file is not hashed again every pass). Written whole to a temp
/// file and renamed over the old one, so a crash leaves the old state or the new, never half of one. A state file that
/// cannot be read counts as empty: the files are uploaded again, which is safe; trusting a bad one is not.
/// </summary>
internal static class AuditUploadState
{
    public const string FileName = "uploads.json";

    // Thousands of days of entries fit in far less; a larger file is not one this SDK wrote.
    private const long MaxBytes = 16 * 1024 * 1024;

    /// <summary>One confirmed upload.</summary>
    public sealed record Entry(long Length, string Sha256, string Key, DateTimeOffset UploadedAt, DateTime LastWriteUtc);

    public static Dictionary<string, Entry> Load(string directory, ILogger? logger)
    {
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        var path = Path.Combine(directory, FileName);
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return entries;
            }

            if (info.Length > MaxBytes)
            {
                throw new InvalidDataException($"it is larger than {MaxBytes} bytes");
            }

            using var document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { MaxDepth = 8 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("files", out var files) || files.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException("it has no \"files\" object");
            }

            var skipped = 0;
            foreach (var file in files.EnumerateObject())
            {
                if (AuditFileNames.TryParseDay(file.Name, out _) && Read(file.Value) is { } entry)
                {
                    entries[file.Name] = entry;
                }
                else
                {
                    skipped++;
                }
            }

            if (skipped > 0)
            {
                logger?.AuditUploadStateEntriesInvalid(skipped, path);
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            logger?.AuditUploadStateUnreadable(path, ex.Message);
            entries.Clear();
        }

        return entries;
    }

    /// <exception cref="IOException">The state could not be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The state directory is not writable.</exception>
    public static void Save(string directory, IReadOnlyDictionary<string, Entry> entries)
    {
        AtomicFile.WriteJson(Path.Combine(directory, FileName), w =>
        {
            w.WriteStartObject();
            w.WriteNumber("version", 1);
            w.WriteStartObject("files");
            foreach (var (name, e) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                w.WriteStartObject(name);
                w.WriteNumber("length", e.Length);
                w.WriteString("sha256", e.Sha256);
                w.WriteString("key", e.Key);
                w.WriteString("uploadedAt", e.UploadedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
                w.WriteString("lastWriteUtc", e.LastWriteUtc.ToString("O", CultureInfo.InvariantCulture));
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    private static Entry? Read(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object
            || !e.TryGetProperty("length", out var length) || !length.TryGetInt64(out var len) || len < 0
            || !e.TryGetProperty("sha256", out var sha) || sha.ValueKind != JsonValueKind.String || !IsSha256Hex(sha.GetString()!)
            || !e.TryGetProperty("key", out var key) || key.ValueKind != JsonValueKind.String || key.GetString()!.Length == 0
            || !e.TryGetProperty("uploadedAt", out var at) || at.ValueKind != JsonValueKind.String
            || !DateTimeOffset.TryParse(at.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var uploadedAt))
        {
            return null;
        }

        // Missing or unreadable: the file is hashed once more at the next pass, nothing worse.
        var lastWrite = e.TryGetProperty("lastWriteUtc", out var lw) && lw.ValueKind == JsonValueKind.String
            && DateTime.TryParse(lw.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var w)
            ? w
            : default;
        return new Entry(len, sha.GetString()!, key.GetString()!, uploadedAt, lastWrite);
    }

    private static bool IsSha256Hex(string text) => text.Length == 64 && !text.AsSpan().ContainsAnyExcept("0123456789abcdef");
}

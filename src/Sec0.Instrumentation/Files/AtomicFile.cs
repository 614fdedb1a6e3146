using System.Security.Cryptography;
using System.Text.Json;

namespace Sec0.Files;

/// <summary>
/// Replaces a small state file whole: written to a temp file of its own, fsynced, then renamed over the old one, so a
/// crash or a second writer leaves the old content or the new, never a torn mix. The one way Sec0 saves its state files
/// (scan verdicts, the last good policy, upload and mirror state).
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="content"/> as the new <paramref name="path"/>, creating its folder.</summary>
    /// <exception cref="IOException">The file could not be written or renamed.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder is not writable.</exception>
    public static void Write(string path, Action<Stream> content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);

        // A name of its own, so two writers (an app and a tool) never write into the same temp file.
        var temp = path + ".tmp-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                content(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The original failure is the one to report.
            }

            throw;
        }
    }

    /// <summary>Writes <paramref name="bytes"/> as the new <paramref name="path"/>.</summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, stream => stream.Write(copy));
    }

    /// <summary>Writes the JSON <paramref name="write"/> produces (indented) as the new <paramref name="path"/>.</summary>
    public static void WriteJson(string path, Action<Utf8JsonWriter> write) =>
        Write(path, stream =>
        {
            using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            write(writer);
        });
}

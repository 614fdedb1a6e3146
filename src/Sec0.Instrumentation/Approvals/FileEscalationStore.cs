using System.Text.Json;

namespace Sec0.Approvals;

/// <summary>
/// Escalations in files, one per escalation (<c>&lt;id&gt;.ndjson</c> in one folder, by default
/// <c>&lt;sec0Dir&gt;/approvals</c>), shared by the processes that use the same folder.
/// </summary>
/// <remarks>
/// <para>
/// Each change appends the whole new state as one JSON line and flushes it to disk (<c>fsync</c>) before it returns,
/// so a process killed after a vote was taken loses nothing, and one killed while writing leaves at most a torn last
/// line, which readers skip and the next writer cuts off. The last complete line is the current state; the lines
/// before it are the escalation's history.
/// </para>
/// <para>
/// A change holds an exclusive lock on the file (<see cref="FileShare.None"/>: <c>flock</c> on Linux and macOS, a share
/// lock on Windows) from the read to the flush, so changes from several processes are applied one after the other.
/// Readers wait for a running change. A lock held longer than <see cref="LockTimeout"/> fails the call with
/// <see cref="IOException"/>.
/// </para>
/// </remarks>
public sealed class FileEscalationStore : IEscalationStore
{
    /// <summary>How long a call waits for another process's change.</summary>
    public static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(10);

    private const string Extension = ".ndjson";

    // Far above any real state (arguments are cut to 16 KiB, reviewer groups are small).
    private const int MaxLineBytes = 64 * 1024 * 1024;

    /// <summary>Creates a store over <paramref name="directory"/>, creating the folder (mode 0700 on Unix) when missing.</summary>
    public FileEscalationStore(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(Directory))
        {
            if (OperatingSystem.IsWindows())
            {
                System.IO.Directory.CreateDirectory(Directory);
            }
            else
            {
                System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
    }

    /// <summary>The folder of the escalation files.</summary>
    public string Directory { get; }

    /// <inheritdoc />
    public async Task CreateAsync(Escalation escalation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(escalation);
        var path = PathOf(escalation.Id) ?? throw new ArgumentException($"\"{escalation.Id}\" is not an escalation id.", nameof(escalation));
        FileStream stream;
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                // Reviewers' notes and the call's arguments: the owner's to read.
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            stream = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new InvalidOperationException($"The escalation {escalation.Id} exists already.");
        }

        await using (stream.ConfigureAwait(false))
        {
            await AppendAsync(stream, escalation, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<Escalation?> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (PathOf(id) is not { } path || !File.Exists(path))
        {
            return null;
        }

        try
        {
            await using var stream = await OpenLockedAsync(path, FileAccess.Read, cancellationToken).ConfigureAwait(false);
            var (state, _) = await ReadLastAsync(stream, cancellationToken).ConfigureAwait(false);
            return state;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Escalation>> ListAsync(CancellationToken cancellationToken)
    {
        var result = new List<Escalation>();
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "esc_*" + Extension))
        {
            if (await GetAsync(Path.GetFileNameWithoutExtension(file), cancellationToken).ConfigureAwait(false) is { } escalation)
            {
                result.Add(escalation);
            }
        }

        result.Sort((a, b) => b.CreatedAt.CompareTo(a.CreatedAt));
        return result;
    }

    /// <inheritdoc />
    public async Task<(Escalation Before, Escalation After)?> UpdateAsync(string id, Func<Escalation, Escalation?> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (PathOf(id) is not { } path || !File.Exists(path))
        {
            return null;
        }

        FileStream stream;
        try
        {
            stream = await OpenLockedAsync(path, FileAccess.ReadWrite, cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            // Deleted (retention) while this call waited for the lock.
            return null;
        }

        await using var owned = stream;
        var (before, validLength) = await ReadLastAsync(stream, cancellationToken).ConfigureAwait(false);
        if (before is null)
        {
            return null;
        }

        var after = change(before);
        if (after is null || ReferenceEquals(after, before))
        {
            return (before, before);
        }

        // A torn line from a writer that was killed is cut off before the new one is appended.
        stream.SetLength(validLength);
        stream.Position = validLength;
        await AppendAsync(stream, after, cancellationToken).ConfigureAwait(false);
        return (before, after);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string id, Func<Escalation, bool> when, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(when);
        if (PathOf(id) is not { } path || !File.Exists(path))
        {
            return false;
        }

        try
        {
            await using var stream = await OpenLockedAsync(path, FileAccess.ReadWrite, cancellationToken).ConfigureAwait(false);
            var (state, _) = await ReadLastAsync(stream, cancellationToken).ConfigureAwait(false);
            if (state is null || !when(state))
            {
                return false;
            }

            // Deleted while the lock is held: a caller waiting for it then finds no file.
            File.Delete(path);
            return true;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
    }

    private string? PathOf(string id) => EscalationIds.IsValid(id) ? Path.Combine(Directory, id + Extension) : null;

    private static async Task AppendAsync(FileStream stream, Escalation escalation, CancellationToken cancellationToken)
    {
        var json = EscalationJson.ToUtf8(escalation);
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        await stream.WriteAsync(line, cancellationToken).ConfigureAwait(false);

        // Durable before the caller hears the vote was taken.
        stream.Flush(flushToDisk: true);
    }

    // The last complete line's state, and the length up to the end of that line (what a torn tail is cut back to).
    // Read from the end, so a change costs the size of one state, however long the history before it.
    private static async Task<(Escalation? State, long ValidLength)> ReadLastAsync(FileStream stream, CancellationToken cancellationToken)
    {
        var length = stream.Length;
        var chunk = (int)Math.Min(length, 64 * 1024);
        while (true)
        {
            var bytes = new byte[chunk];
            stream.Position = length - chunk;
            await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
            var end = Array.LastIndexOf(bytes, (byte)'\n');
            if (end < 0 && chunk == length)
            {
                return (null, 0);
            }

            var start = end <= 0 ? -1 : Array.LastIndexOf(bytes, (byte)'\n', end - 1);
            if (end >= 0 && (start >= 0 || chunk == length))
            {
                var offset = length - chunk;
                return (Parse(stream.Name, bytes.AsMemory(start + 1, end - start - 1)), offset + end + 1);
            }

            // The last line is longer than what was read: read more.
            if (chunk >= MaxLineBytes)
            {
                throw new InvalidDataException($"[sec0] The escalation file {stream.Name} is damaged: its last line is over {MaxLineBytes / (1024 * 1024)} MiB.");
            }

            chunk = (int)Math.Min(length, (long)chunk * 4);
        }
    }

    private static Escalation Parse(string path, ReadOnlyMemory<byte> line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return EscalationJson.Read(document.RootElement);
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            // Only this SDK writes these files; a complete line that does not read was changed by someone else.
            throw new InvalidDataException($"[sec0] The escalation file {path} is damaged: its last complete line is not an escalation record ({ex.Message}). Restore it from a backup, or move it away to drop the escalation.", ex);
        }
    }

    private static async Task<FileStream> OpenLockedAsync(string path, FileAccess access, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + LockTimeout;
        var delay = 1;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.Open, access, FileShare.None, 4096, FileOptions.Asynchronous);
            }
            catch (IOException ex) when (ex is not FileNotFoundException && DateTime.UtcNow < deadline)
            {
                // Another process holds the file for a change: wait for it.
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = Math.Min(delay * 2, 50);
            }
        }
    }
}

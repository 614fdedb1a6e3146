using Microsoft.Win32.SafeHandles;

namespace Sec0.Audit;

/// <summary>
/// The writer's copy of the log's head in <c>.sec0-audit.head</c>, rewritten in place after every batch
/// reaches the log (one positioned write, no allocation). At the next start it shows whether the log
/// still ends where the writer left it. It is not signed: whoever can cut the log can rewrite it too, so
/// it catches a cut that forgets it, and a crash; a head kept elsewhere catches the rest.
/// </summary>
internal sealed class AuditHeadFile : IDisposable
{
    private readonly FileStream _stream;
    private readonly SafeFileHandle _handle;
    private readonly byte[] _text = new byte[20 + 1 + 64 + 1];
    private long _length;

    private AuditHeadFile(FileStream stream)
    {
        _stream = stream;
        _handle = stream.SafeFileHandle;
        _length = RandomAccess.GetLength(_handle);
    }

    /// <remarks>
    /// A link or a named pipe in place of the file is removed first (an empty file too: it holds nothing), so
    /// the head is never written through a link into a file outside the folder, nor into a pipe.
    /// </remarks>
    public static AuditHeadFile Open(string directory)
    {
        var path = Path.Combine(directory, AuditHead.FileName);
        var existing = new FileInfo(path);
        if (existing.LinkTarget is not null || (existing.Exists && existing.Length == 0))
        {
            File.Delete(path);
        }

        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.Write, Share = FileShare.Read, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        }

        return new AuditHeadFile(new FileStream(path, options));
    }

    /// <summary>Writes <c>&lt;seq&gt;:&lt;hash&gt;\n</c>.</summary>
    public void Write(long seq, ReadOnlySpan<byte> hashHex)
    {
        seq.TryFormat(_text, out var n, default, System.Globalization.CultureInfo.InvariantCulture);
        _text[n++] = (byte)':';
        hashHex.CopyTo(_text.AsSpan(n));
        n += hashHex.Length;
        _text[n++] = (byte)'\n';
        RandomAccess.Write(_handle, _text.AsSpan(0, n), 0);
        if (n < _length)
        {
            RandomAccess.SetLength(_handle, n); // a new log started over in this folder
        }

        _length = n;
    }

    public void Dispose() => _stream.Dispose();
}

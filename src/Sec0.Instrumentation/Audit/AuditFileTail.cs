namespace Sec0.Audit;

/// <summary>
/// Reads the complete lines of a file from its end backwards, a chunk at a time, so start-up looks at the
/// end of a large day file without reading all of it. Bytes after the last newline (a torn write) are
/// not a line; <see cref="CompleteLength"/> says where they start.
/// </summary>
internal sealed class AuditFileTail : IDisposable
{
    private const int ChunkSize = 64 * 1024;
    private readonly FileStream _stream;
    private byte[] _buffer = [];
    private long _bufferStart;
    private int _bufferLength;
    private long _nextEnd; // the offset just past the line ReadPrevious returns next (its '\n' excluded)

    public AuditFileTail(string path)
    {
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
        Length = _stream.Length;
        CompleteLength = FindCompleteLength();
        _nextEnd = CompleteLength - 1;
    }

    /// <summary>The file's length.</summary>
    public long Length { get; }

    /// <summary>The length of the file up to and including its last newline: where torn bytes start.</summary>
    public long CompleteLength { get; }

    /// <summary>The line before the one returned last (the last complete line at first), without its newline.</summary>
    public bool TryReadPrevious(out long offset, out ReadOnlySpan<byte> line)
    {
        if (_nextEnd < 0)
        {
            offset = 0;
            line = default;
            return false;
        }

        while (true)
        {
            // The line is [start, _nextEnd): find the newline before it within the buffered bytes.
            var end = (int)(_nextEnd - _bufferStart);
            var newline = end > 0 ? _buffer.AsSpan(0, end).LastIndexOf((byte)'\n') : -1;
            if (newline >= 0 || _bufferStart == 0)
            {
                var start = newline + 1;
                offset = _bufferStart + start;
                line = _buffer.AsSpan(start, end - start);
                _nextEnd = offset - 1;
                return true;
            }

            LoadEarlier();
        }
    }

    public void Dispose() => _stream.Dispose();

    private long FindCompleteLength()
    {
        var end = Length;
        while (end > 0)
        {
            LoadUpTo(end);
            var newline = _buffer.AsSpan(0, _bufferLength).LastIndexOf((byte)'\n');
            if (newline >= 0)
            {
                return _bufferStart + newline + 1;
            }

            end = _bufferStart;
        }

        return 0;
    }

    /// <summary>Buffers one chunk ending at <paramref name="end"/>.</summary>
    private void LoadUpTo(long end)
    {
        var start = Math.Max(0, end - ChunkSize);
        var length = (int)(end - start);
        if (_buffer.Length < length)
        {
            _buffer = new byte[length];
        }

        _stream.Position = start;
        _stream.ReadExactly(_buffer, 0, length);
        _bufferStart = start;
        _bufferLength = length;
    }

    /// <summary>Prepends an earlier chunk, keeping only the bytes of lines not yet returned.</summary>
    private void LoadEarlier()
    {
        var keep = (int)(_nextEnd - _bufferStart);
        var start = Math.Max(0, _bufferStart - Math.Max(ChunkSize, keep));
        var add = (int)(_bufferStart - start);
        var buffer = new byte[add + keep];
        _stream.Position = start;
        _stream.ReadExactly(buffer, 0, add);
        _buffer.AsSpan(0, keep).CopyTo(buffer.AsSpan(add));
        _buffer = buffer;
        _bufferStart = start;
        _bufferLength = add + keep;
    }
}

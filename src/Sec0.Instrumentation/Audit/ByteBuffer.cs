using System.Buffers;

namespace Sec0.Audit;

/// <summary>A reusable growable byte buffer; the writer thread keeps a few so steady state allocates nothing.</summary>
internal sealed class ByteBuffer : IBufferWriter<byte>
{
    private byte[] _buffer;
    private int _count;

    public ByteBuffer(int initialCapacity = 4096)
    {
        _buffer = new byte[initialCapacity];
    }

    public int Count => _count;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _count);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _count);

    public void Clear() => _count = 0;

    public void Advance(int count) => _count += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_count);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_count);
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_count));
        _count += bytes.Length;
    }

    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_count++] = value;
    }

    private void Ensure(int sizeHint)
    {
        if (sizeHint < 1)
        {
            sizeHint = 1;
        }

        if (_buffer.Length - _count < sizeHint)
        {
            var size = Math.Max(_buffer.Length * 2, _count + sizeHint);
            Array.Resize(ref _buffer, size);
        }
    }
}

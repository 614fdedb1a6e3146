using System.Collections;

namespace Sec0.Hops;

/// <summary>The result of a decided call of an iterator hop: every enumeration's first <c>MoveNext</c> runs armed.</summary>
internal sealed class ArmedEnumerable<T> : IEnumerable<T>
{
    private readonly IEnumerable<T> _iterator;
    private readonly HopDescriptor? _descriptor;

    public ArmedEnumerable(IEnumerable<T> iterator, HopDescriptor? descriptor)
    {
        _iterator = iterator;
        _descriptor = descriptor;
    }

    public IEnumerator<T> GetEnumerator() => new ArmedEnumerator<T>(_iterator.GetEnumerator(), _descriptor);

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

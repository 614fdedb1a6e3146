using System.Collections;

namespace Sec0.Hops;

/// <summary>
/// An iterator hop's enumerator whose first <c>MoveNext</c> (where the iterator's body, and so its
/// <c>HopGuard.Enter()</c>, starts) runs with the hop armed as decided.
/// </summary>
internal sealed class ArmedEnumerator<T> : IEnumerator<T>
{
    private readonly IEnumerator<T> _inner;
    private HopDescriptor? _pending;

    public ArmedEnumerator(IEnumerator<T> inner, HopDescriptor? descriptor)
    {
        _inner = inner;
        _pending = descriptor;
    }

    public T Current => _inner.Current;

    object? IEnumerator.Current => ((IEnumerator)_inner).Current;

    public bool MoveNext()
    {
        var descriptor = _pending;
        if (descriptor is null)
        {
            return _inner.MoveNext();
        }

        _pending = null;
        var previous = HopGuard.Arm(descriptor);
        try
        {
            return _inner.MoveNext();
        }
        finally
        {
            HopGuard.Restore(previous);
        }
    }

    public void Reset() => _inner.Reset();

    public void Dispose() => _inner.Dispose();
}

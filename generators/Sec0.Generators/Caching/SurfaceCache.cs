using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace Sec0.Generators.Caching;

/// <summary>
/// Models computed from a syntax node, reused while the node (so its tree) is the same object and the
/// compilation's <see cref="SurfaceVersion"/> is equal. Keyed weakly by node; each slot holds an
/// immutable entry that is replaced whole, so concurrent generator runs are safe.
/// </summary>
internal sealed class SurfaceCache<TNode, TModel>
    where TNode : SyntaxNode
    where TModel : class
{
    private readonly ConditionalWeakTable<TNode, Slot> _slots = new();

    public bool TryGet(TNode node, SurfaceVersion version, out TModel? model)
    {
        if (_slots.TryGetValue(node, out var slot) && slot.Current is { } entry)
        {
            if (ReferenceEquals(entry.Version, version))
            {
                model = entry.Model;
                return true;
            }

            if (entry.Version.Equals(version))
            {
                // An equal version that is not the interned object (evicted meanwhile): adopt it.
                slot.Current = new Entry(version, entry.Model);
                model = entry.Model;
                return true;
            }
        }

        model = null;
        return false;
    }

    public void Store(TNode node, SurfaceVersion version, TModel? model)
        => _slots.GetOrCreateValue(node).Current = new Entry(version, model);

    private sealed class Slot
    {
        public volatile Entry? Current;
    }

    private sealed class Entry
    {
        public Entry(SurfaceVersion version, TModel? model)
        {
            Version = version;
            Model = model;
        }

        public SurfaceVersion Version { get; }

        public TModel? Model { get; }
    }
}

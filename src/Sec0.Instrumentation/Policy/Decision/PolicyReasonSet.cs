using System.Numerics;
using System.Text;

namespace Sec0.Policy;

/// <summary>
/// A set of <see cref="PolicyReason"/> values as one 64-bit mask: a decision carries all its violations
/// without allocating. Enumerate it with <c>foreach</c> (a struct enumerator, in enum order).
/// </summary>
public readonly struct PolicyReasonSet : IEquatable<PolicyReasonSet>
{
    private readonly ulong _bits;

    private PolicyReasonSet(ulong bits) => _bits = bits;

    /// <summary>The empty set.</summary>
    public static PolicyReasonSet Empty => default;

    /// <summary>The set of every defined reason.</summary>
    public static PolicyReasonSet AllReasons { get; } = new(((1UL << ((int)PolicyReasons.MaxReason + 1)) - 1) & ~1UL);

    /// <summary>The raw mask: bit <c>n</c> is the reason with value <c>n</c>.</summary>
    public ulong Bits => _bits;

    /// <summary>True when the set holds no reason.</summary>
    public bool IsEmpty => _bits == 0;

    /// <summary>How many reasons the set holds.</summary>
    public int Count => BitOperations.PopCount(_bits);

    /// <summary>A set with one reason (empty for <see cref="PolicyReason.None"/>).</summary>
    public static PolicyReasonSet Of(PolicyReason reason) => new(Bit(reason));

    /// <summary>A set with the given reasons.</summary>
    public static PolicyReasonSet Of(IEnumerable<PolicyReason> reasons)
    {
        ArgumentNullException.ThrowIfNull(reasons);
        ulong bits = 0;
        foreach (var reason in reasons)
        {
            bits |= Bit(reason);
        }

        return new PolicyReasonSet(bits);
    }

    /// <summary>True when the set holds <paramref name="reason"/>.</summary>
    public bool Contains(PolicyReason reason) => (_bits & Bit(reason)) != 0;

    /// <summary>The set with <paramref name="reason"/> added.</summary>
    public PolicyReasonSet Add(PolicyReason reason) => new(_bits | Bit(reason));

    /// <summary>The set with <paramref name="reason"/> removed.</summary>
    public PolicyReasonSet Remove(PolicyReason reason) => new(_bits & ~Bit(reason));

    /// <summary>The reasons in both sets.</summary>
    public PolicyReasonSet Intersect(PolicyReasonSet other) => new(_bits & other._bits);

    /// <summary>The reasons in this set and not in <paramref name="other"/>.</summary>
    public PolicyReasonSet Except(PolicyReasonSet other) => new(_bits & ~other._bits);

    /// <summary>The reasons in either set.</summary>
    public PolicyReasonSet Union(PolicyReasonSet other) => new(_bits | other._bits);

    /// <summary>An enumerator over the reasons, in enum order, that does not allocate.</summary>
    public Enumerator GetEnumerator() => new(_bits);

    /// <summary>The YAML names of the reasons, in enum order.</summary>
    public string[] ToNames()
    {
        var names = new string[Count];
        var index = 0;
        foreach (var reason in this)
        {
            names[index++] = PolicyReasons.GetName(reason);
        }

        return names;
    }

    /// <inheritdoc/>
    public bool Equals(PolicyReasonSet other) => _bits == other._bits;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is PolicyReasonSet other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _bits.GetHashCode();

    /// <summary>The names, comma-separated, in brackets: <c>[payload_too_large, sast_failed]</c>.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder("[");
        foreach (var reason in this)
        {
            if (builder.Length > 1)
            {
                builder.Append(", ");
            }

            builder.Append(PolicyReasons.GetName(reason));
        }

        return builder.Append(']').ToString();
    }

    /// <summary>Equal when both hold the same reasons.</summary>
    public static bool operator ==(PolicyReasonSet left, PolicyReasonSet right) => left.Equals(right);

    /// <summary>Different when the reasons differ.</summary>
    public static bool operator !=(PolicyReasonSet left, PolicyReasonSet right) => !left.Equals(right);

    private static ulong Bit(PolicyReason reason)
    {
        var index = (int)reason;
        return index is > 0 and <= (int)PolicyReasons.MaxReason ? 1UL << index : 0;
    }

    /// <summary>Enumerates the reasons of a <see cref="PolicyReasonSet"/> lowest bit first.</summary>
    public struct Enumerator
    {
        private ulong _remaining;

        internal Enumerator(ulong bits)
        {
            _remaining = bits;
            Current = PolicyReason.None;
        }

        /// <summary>The current reason.</summary>
        public PolicyReason Current { get; private set; }

        /// <summary>Moves to the next reason.</summary>
        public bool MoveNext()
        {
            if (_remaining == 0)
            {
                return false;
            }

            var index = BitOperations.TrailingZeroCount(_remaining);
            _remaining &= _remaining - 1;
            Current = (PolicyReason)index;
            return true;
        }
    }
}

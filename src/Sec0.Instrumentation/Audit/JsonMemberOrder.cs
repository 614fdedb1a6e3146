namespace Sec0.Audit;

/// <summary>The order in which <see cref="JsonCanonicalizer"/> writes an object's members.</summary>
public enum JsonMemberOrder
{
    /// <summary>RFC 8785 (JCS): every member name sorted by its UTF-16 code units. What Sec0 for .NET signs.</summary>
    Rfc8785,

    /// <summary>
    /// What Sec0's TypeScript SDK signs: <c>JSON.stringify</c> of a copy whose keys were sorted by UTF-16 code
    /// units. JavaScript enumerates array-index names (<c>"0"</c> … <c>"4294967294"</c> in canonical decimal) first,
    /// in ascending numeric order, then the other names in that sorted order. A member named <c>__proto__</c>
    /// is refused: the SDK leaves it out of what it signs.
    /// </summary>
    JavaScript,
}

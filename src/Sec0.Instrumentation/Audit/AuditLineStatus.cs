namespace Sec0.Audit;

/// <summary>What <see cref="AuditLineReader"/> found a line to be.</summary>
internal enum AuditLineStatus
{
    /// <summary>Not a Sec0 audit record: not JSON, invalid UTF-8, duplicate members, or no <c>seq</c>/<c>prev</c>.</summary>
    Malformed,

    /// <summary>A record without <c>sig</c>, in the canonical form Sec0 writes.</summary>
    Unsigned,

    /// <summary>Signed by a key other than the one reading (its signature is not checked).</summary>
    OtherKey,

    /// <summary>Signed, but not byte for byte the canonical form Sec0 writes (a duplicate member, a changed encoding of the signature, whitespace): altered.</summary>
    NonCanonical,

    /// <summary>The signature does not verify: changed after signing, or forged.</summary>
    BadSignature,

    /// <summary>Signed by the reading key, canonical, and the signature verifies.</summary>
    Valid,
}

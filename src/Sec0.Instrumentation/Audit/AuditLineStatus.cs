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

    /// <summary>
    /// A line in the TypeScript SDK's format (none of <c>v</c>, <c>seq</c>, <c>prev</c>, <c>key_id</c>) whose
    /// signature verifies over the canonical form the SDK signs. Signed, but in no chain.
    /// </summary>
    TypeScriptValid,

    /// <summary>A line with none of the chain fields and no <c>sig</c>: neither format's valid line.</summary>
    TypeScriptUnsigned,

    /// <summary>A line in the TypeScript SDK's format whose <c>sig</c> is no Ed25519 signature, or does not verify (<see cref="AuditLineInfo.Error"/> says which).</summary>
    TypeScriptBadSignature,
}

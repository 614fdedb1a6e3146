namespace Sec0.Audit;

/// <summary>The position of the hash chain: the last line's sequence number and SHA-256 (hex).</summary>
internal readonly record struct AuditChain(long Seq, string PrevHash)
{
    /// <summary>The <c>prev</c> of the very first line of a log: 64 zeros.</summary>
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    public static AuditChain Genesis { get; } = new(0, GenesisHash);
}

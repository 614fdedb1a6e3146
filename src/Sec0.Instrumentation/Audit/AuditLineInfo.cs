using System.Text.Json;

namespace Sec0.Audit;

/// <summary>The fields of an audit line that the chain and the verifier look at.</summary>
/// <param name="Seq">The line's <c>seq</c>.</param>
/// <param name="Prev">The line's <c>prev</c>.</param>
/// <param name="KeyId">The line's <c>key_id</c>, if any.</param>
/// <param name="Record">The <c>record</c> kind of a line the writer adds itself; null for an envelope.</param>
/// <param name="Fields">A record's whole object (records are few; envelopes keep none).</param>
/// <param name="Error">Why a malformed line is not a record, or why a TypeScript SDK line's signature fails.</param>
internal readonly record struct AuditLineInfo(long Seq, string Prev, string? KeyId, string? Record, JsonElement? Fields, string? Error)
{
    public bool IsEnvelope => Record is null;

    /// <summary>A string member of a record, or null.</summary>
    public string? Text(string name)
        => Fields is { } f && f.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>An integer member of a record, or null.</summary>
    public long? Integer(string name)
        => Fields is { } f && f.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;

    /// <summary>The signing mode a record says was in force (<c>signing</c>), if it says.</summary>
    public AuditSigningMode? Signing => AuditSigningModes.TryParse(Text("signing"), out var mode) ? mode : null;

    public static AuditLineInfo Malformed(string error) => new(0, "", null, null, null, error);
}

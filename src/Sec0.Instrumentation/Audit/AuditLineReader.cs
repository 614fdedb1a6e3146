using System.Buffers.Text;
using System.Text.Json;
using Sec0.Signing;

namespace Sec0.Audit;

/// <summary>
/// Reads one audit line and judges it with a public key: its chain fields, and whether it is signed,
/// byte for byte the canonical form Sec0 writes, and verifies. The one place that decides what a valid
/// line is, for the verifier and for start-up recovery alike. Not thread-safe (reuses its buffers).
/// </summary>
internal sealed class AuditLineReader
{
    private const string SigMember = "sig";
    private readonly SignatureVerifier _key;
    private readonly bool _readTypeScriptLines;
    private readonly ByteBuffer _canonical = new(4096);
    private readonly byte[] _signature = new byte[128];
    private readonly byte[] _reencoded = new byte[256];

    /// <param name="key">The public key lines must be signed with.</param>
    /// <param name="readTypeScriptLines">
    /// Judge lines in the TypeScript SDK's format (no chain fields) by their signature instead of calling them
    /// malformed: for the verifier. Start-up recovery never keeps such a line, so it leaves this off.
    /// </param>
    public AuditLineReader(SignatureVerifier key, bool readTypeScriptLines = false)
    {
        _key = key;
        _readTypeScriptLines = readTypeScriptLines;
    }

    /// <summary>The key id lines must carry to be checked.</summary>
    public string KeyId => _key.KeyId;

    public AuditLineStatus Read(ReadOnlySpan<byte> line, out AuditLineInfo info)
    {
        if (line.IsEmpty || line[0] != (byte)'{')
        {
            // Not an object: said without the parser's exception, which costs more than a whole line of a log
            // (a hostile file of empty lines took an hour per gigabyte).
            info = AuditLineInfo.Malformed("not a JSON audit record (changed or corrupted line)");
            return AuditLineStatus.Malformed;
        }

        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(line);
            document = JsonDocument.ParseValue(ref reader);
            if (reader.BytesConsumed != line.Length)
            {
                document.Dispose();
                info = AuditLineInfo.Malformed("not a JSON audit record (text after the JSON object)");
                return AuditLineStatus.Malformed;
            }
        }
        catch (JsonException)
        {
            info = AuditLineInfo.Malformed("not a JSON audit record (changed or corrupted line)");
            return AuditLineStatus.Malformed;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("seq", out var s) || s.ValueKind != JsonValueKind.Number || !s.TryGetInt64(out var seq)
                || !root.TryGetProperty("prev", out var p) || p.ValueKind != JsonValueKind.String)
            {
                if (_readTypeScriptLines && IsTypeScriptFormat(root))
                {
                    return ReadTypeScriptLine(root, out info);
                }

                info = AuditLineInfo.Malformed("not a Sec0 audit record (no seq or prev)");
                return AuditLineStatus.Malformed;
            }

            string? prev, keyId, record, sig;
            try
            {
                prev = p.GetString()!;
                keyId = Text(root, "key_id");
                record = Text(root, "record");
                sig = root.TryGetProperty(SigMember, out var g) ? (g.ValueKind == JsonValueKind.String ? g.GetString() : "") : null;
            }
            catch (InvalidOperationException)
            {
                // The parser does not validate strings without escapes; GetString does.
                info = AuditLineInfo.Malformed("not valid UTF-8 (changed or corrupted line)");
                return AuditLineStatus.Malformed;
            }

            info = new AuditLineInfo(seq, prev, keyId, record, record is null ? null : root.Clone(), null);

            // The canonical form of everything but sig: what was signed, and what the line must be made of.
            _canonical.Clear();
            try
            {
                JsonCanonicalizer.WriteElement(root, _canonical, SigMember);
            }
            catch (FormatException ex)
            {
                info = info with { Error = $"not a valid audit record: {ex.Message}" };
                return AuditLineStatus.Malformed;
            }

            if (sig is null)
            {
                return line.SequenceEqual(_canonical.WrittenSpan) ? AuditLineStatus.Unsigned : AuditLineStatus.NonCanonical;
            }

            if (!string.Equals(keyId, _key.KeyId, StringComparison.Ordinal))
            {
                return AuditLineStatus.OtherKey;
            }

            if (!TryDecodeSignature(sig, out var signatureLength))
            {
                return AuditLineStatus.BadSignature;
            }

            if (!IsCanonicalWithSig(line, _canonical.WrittenSpan, sig))
            {
                return AuditLineStatus.NonCanonical;
            }

            return _key.Verify(_canonical.WrittenSpan, _signature.AsSpan(0, signatureLength)) ? AuditLineStatus.Valid : AuditLineStatus.BadSignature;
        }
    }

    /// <summary>
    /// A line as Sec0's TypeScript SDK writes it: an object with none of the members Sec0 for .NET adds for its
    /// chain. Only asked of lines without a .NET line's seq and prev, so it costs .NET lines nothing.
    /// </summary>
    private static bool IsTypeScriptFormat(JsonElement root)
        => root.ValueKind == JsonValueKind.Object
            && !root.TryGetProperty("seq", out _) && !root.TryGetProperty("prev", out _)
            && !root.TryGetProperty("v", out _) && !root.TryGetProperty("key_id", out _);

    /// <summary>
    /// Verifies a TypeScript SDK line: its <c>sig</c> (<c>ed25519:</c> and standard base64) over the canonical
    /// form the SDK signs (<see cref="JsonMemberOrder.JavaScript"/>, without <c>sig</c>). The line's own bytes are
    /// not compared with it: the SDK writes members in insertion order.
    /// </summary>
    private AuditLineStatus ReadTypeScriptLine(JsonElement root, out AuditLineInfo info)
    {
        info = new AuditLineInfo(0, "", null, null, null, null);
        string? sig;
        try
        {
            sig = root.TryGetProperty(SigMember, out var g) ? (g.ValueKind == JsonValueKind.String ? g.GetString() : "") : null;
        }
        catch (InvalidOperationException)
        {
            info = AuditLineInfo.Malformed("not valid UTF-8 (changed or corrupted line)");
            return AuditLineStatus.Malformed;
        }

        _canonical.Clear();
        try
        {
            JsonCanonicalizer.WriteElement(root, _canonical, SigMember, JsonMemberOrder.JavaScript);
        }
        catch (FormatException ex)
        {
            info = AuditLineInfo.Malformed($"not a valid audit record: {ex.Message}");
            return AuditLineStatus.Malformed;
        }

        if (sig is null)
        {
            return AuditLineStatus.TypeScriptUnsigned;
        }

        if (!string.Equals(_key.Algorithm, KeyEncodings.Ed25519Algorithm, StringComparison.Ordinal))
        {
            info = info with { Error = $"the TypeScript SDK signs with Ed25519, but the public key given is an {_key.Algorithm} key" };
            return AuditLineStatus.TypeScriptBadSignature;
        }

        if (!TryDecodeSignature(sig, out var signatureLength) || signatureLength != Ed25519Keys.SignatureSize)
        {
            info = info with { Error = "sig is not \"ed25519:\" followed by the base64 of a 64-byte signature: the line was altered" };
            return AuditLineStatus.TypeScriptBadSignature;
        }

        if (!_key.Verify(_canonical.WrittenSpan, _signature.AsSpan(0, signatureLength)))
        {
            info = info with { Error = "the signature does not verify with this public key: the line was changed after it was signed, or forged, or signed by another key (TypeScript SDK lines do not name their key)" };
            return AuditLineStatus.TypeScriptBadSignature;
        }

        return AuditLineStatus.TypeScriptValid;
    }

    /// <summary>The top-level <c>seq</c> of a line, without judging anything else; null when it has none.</summary>
    public static long? ReadSeq(ReadOnlySpan<byte> line)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isSeq = reader.ValueTextEquals("seq"u8);
                reader.Read();
                if (isSeq)
                {
                    return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var seq) ? seq : null;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    private static string? Text(JsonElement root, string name)
        => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>
    /// Decodes <c>&lt;algorithm&gt;:&lt;base64&gt;</c> for the reading key's algorithm. The base64 must be the one
    /// encoding of its bytes (no set padding bits, no whitespace): otherwise one signature has many spellings.
    /// </summary>
    private bool TryDecodeSignature(string sig, out int length)
    {
        length = 0;
        var colon = sig.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || !sig.AsSpan(0, colon).SequenceEqual(_key.Algorithm))
        {
            return false;
        }

        var text = sig.AsSpan(colon + 1);
        if (!Convert.TryFromBase64Chars(text, _signature, out length)
            || Base64.GetMaxEncodedToUtf8Length(length) != text.Length
            || Base64.EncodeToUtf8(_signature.AsSpan(0, length), _reencoded, out _, out var written) != System.Buffers.OperationStatus.Done)
        {
            return false;
        }

        for (var i = 0; i < written; i++)
        {
            if (_reencoded[i] != text[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// True when the line is exactly the canonical form of the record without <c>sig</c>, with
    /// <c>,"sig":"…"</c> at the place its name sorts to: how the writer builds every signed line. A duplicate
    /// member, a second <c>sig</c>, whitespace or a different escape all fail this.
    /// </summary>
    private static bool IsCanonicalWithSig(ReadOnlySpan<byte> line, ReadOnlySpan<byte> canonical, string sig)
    {
        // Where sig goes: before the first top-level member whose name sorts after "sig", or before the '}'.
        var at = canonical.Length - 1;
        var reader = new Utf8JsonReader(canonical);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1
                && (reader.ValueIsEscaped ? string.CompareOrdinal(reader.GetString(), SigMember) : reader.ValueSpan.SequenceCompareTo("sig"u8)) > 0)
            {
                at = (int)reader.TokenStartIndex - 1;
                break;
            }

            if (reader.CurrentDepth == 1 && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
            }
        }

        // ,"sig":"<sig>"  (the sig text is base64 and an algorithm name: nothing in it is escaped)
        var member = 8 + sig.Length + 1;
        if (at <= 1 || line.Length != canonical.Length + member
            || !line[..at].SequenceEqual(canonical[..at])
            || !line[(at + member)..].SequenceEqual(canonical[at..])
            || !line.Slice(at, 8).SequenceEqual(",\"sig\":\""u8)
            || line[at + member - 1] != (byte)'"')
        {
            return false;
        }

        var value = line.Slice(at + 8, sig.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != sig[i])
            {
                return false;
            }
        }

        return true;
    }
}

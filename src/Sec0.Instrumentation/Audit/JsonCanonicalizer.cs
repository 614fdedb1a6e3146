using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Sec0.Audit;

/// <summary>
/// RFC 8785 JSON Canonicalization Scheme (JCS): object members sorted by their UTF-16 code units,
/// no insignificant whitespace, strings with the minimal escaping of ECMAScript's JSON.stringify and
/// numbers in ECMAScript's shortest round-trip form. The audit signature is computed over these bytes.
/// With <see cref="JsonMemberOrder.JavaScript"/> it writes what Sec0's TypeScript SDK signs instead, which
/// differs only in the member order.
/// </summary>
public static class JsonCanonicalizer
{
    private static readonly byte[] s_hex = "0123456789abcdef"u8.ToArray();

    // The largest array index in ECMAScript (2^32 - 2): such names are enumerated first by JSON.stringify.
    private const string MaxArrayIndex = "4294967294";

    // JSON.parse makes it an own member; assigning it to a fresh object, as the TypeScript SDK's sort does, does not.
    private const string ProtoMember = "__proto__";

    // Printable ASCII written as is: U+0020..U+007E except '"' and '\'.
    private static readonly SearchValues<char> s_verbatimAscii = SearchValues.Create(
        Enumerable.Range(0x20, 0x7F - 0x20).Select(c => (char)c).Where(c => c is not ('"' or '\\')).ToArray());

    /// <summary>Canonicalizes a JSON document. Duplicate member names are rejected.</summary>
    /// <exception cref="FormatException">The text is not a single valid JSON value, or holds what canonical JSON cannot (see <see cref="WriteElement(JsonElement, IBufferWriter{byte}, string?)"/>).</exception>
    public static byte[] Canonicalize(ReadOnlySpan<byte> utf8Json)
    {
        var buffer = new ArrayBufferWriter<byte>(utf8Json.Length + 16);
        Canonicalize(utf8Json, buffer, excludeTopLevelMember: null);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Canonicalizes a JSON document into <paramref name="output"/>, leaving out the top-level member
    /// <paramref name="excludeTopLevelMember"/> when given (how a signature is checked: the signed bytes
    /// are the canonical form of the record without its <c>sig</c>).
    /// </summary>
    /// <exception cref="FormatException">The text is not a single valid JSON value, or holds what canonical JSON cannot (see <see cref="WriteElement(JsonElement, IBufferWriter{byte}, string?)"/>).</exception>
    public static void Canonicalize(ReadOnlySpan<byte> utf8Json, IBufferWriter<byte> output, string? excludeTopLevelMember)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            throw new FormatException($"Not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            WriteElement(document.RootElement, output, excludeTopLevelMember);
        }
    }

    /// <summary>Writes <paramref name="element"/> in canonical form.</summary>
    /// <exception cref="FormatException">An object has duplicate members, a number is outside double range, or a string or name is not valid Unicode.</exception>
    public static void WriteElement(JsonElement element, IBufferWriter<byte> output, string? excludeTopLevelMember = null)
        => WriteElement(element, output, excludeTopLevelMember, JsonMemberOrder.Rfc8785, rawFastPath: true);

    /// <summary>Writes <paramref name="element"/> in canonical form with its members in <paramref name="order"/>.</summary>
    /// <param name="element">The value to write.</param>
    /// <param name="output">Receives the UTF-8 bytes.</param>
    /// <param name="excludeTopLevelMember">A top-level member to leave out (a record's <c>sig</c>), or null.</param>
    /// <param name="order">RFC 8785, or the order Sec0's TypeScript SDK signs in.</param>
    /// <exception cref="FormatException">As <see cref="WriteElement(JsonElement, IBufferWriter{byte}, string?)"/>; with
    /// <see cref="JsonMemberOrder.JavaScript"/> also a member named <c>__proto__</c>.</exception>
    public static void WriteElement(JsonElement element, IBufferWriter<byte> output, string? excludeTopLevelMember, JsonMemberOrder order)
        => WriteElement(element, output, excludeTopLevelMember, order, rawFastPath: true);

    /// <summary>
    /// Writes <paramref name="element"/> in canonical form; with <paramref name="rawFastPath"/> off, every
    /// string goes through <see cref="string"/> (the reference path the fast one is tested against).
    /// </summary>
    internal static void WriteElement(JsonElement element, IBufferWriter<byte> output, string? excludeTopLevelMember, bool rawFastPath)
        => WriteElement(element, output, excludeTopLevelMember, JsonMemberOrder.Rfc8785, rawFastPath);

    /// <inheritdoc cref="WriteElement(JsonElement, IBufferWriter{byte}, string?, bool)"/>
    internal static void WriteElement(JsonElement element, IBufferWriter<byte> output, string? excludeTopLevelMember, JsonMemberOrder order, bool rawFastPath)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                if (!rawFastPath || !TryWriteObjectRaw(element, output, excludeTopLevelMember, order))
                {
                    WriteObject(element, output, excludeTopLevelMember, order, rawFastPath);
                }

                break;
            case JsonValueKind.Array:
                output.Write("["u8);
                var first = true;
                foreach (var item in element.EnumerateArray())
                {
                    if (!first)
                    {
                        output.Write(","u8);
                    }

                    first = false;
                    WriteElement(item, output, null, order, rawFastPath);
                }

                output.Write("]"u8);
                break;
            case JsonValueKind.String:
                if (rawFastPath && JsonMarshal.GetRawUtf8Value(element) is var quoted && IsCanonicalAsIs(quoted[1..^1]))
                {
                    output.Write(quoted);
                }
                else
                {
                    WriteString(ReadString(element), output);
                }

                break;
            case JsonValueKind.Number:
                if (rawFastPath && IsSmallInteger(JsonMarshal.GetRawUtf8Value(element)))
                {
                    output.Write(JsonMarshal.GetRawUtf8Value(element));
                }
                else
                {
                    WriteNumber(ReadNumber(element), output);
                }

                break;
            case JsonValueKind.True:
                output.Write("true"u8);
                break;
            case JsonValueKind.False:
                output.Write("false"u8);
                break;
            case JsonValueKind.Null:
                output.Write("null"u8);
                break;
            default:
                throw new FormatException($"Unexpected JSON value kind {element.ValueKind}.");
        }
    }

    /// <summary>A string value; one that is not valid Unicode (an escaped unpaired surrogate, invalid UTF-8) is a <see cref="FormatException"/>.</summary>
    private static string ReadString(JsonElement element)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException ex)
        {
            throw NotUnicode(ex);
        }
    }

    /// <summary>A member name, with the same rule as <see cref="ReadString"/>.</summary>
    private static string ReadName(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException ex)
        {
            throw NotUnicode(ex);
        }
    }

    private static FormatException NotUnicode(InvalidOperationException ex) =>
        new("a string is not valid Unicode (an unpaired surrogate escape such as \\uD800, or invalid UTF-8)", ex);

    /// <summary>A number as a double; a literal beyond double range (1e400) parses as an infinity, which JSON cannot hold.</summary>
    private static double ReadNumber(JsonElement element)
    {
        var value = element.GetDouble();
        if (!double.IsFinite(value))
        {
            throw new FormatException($"the number {Encoding.UTF8.GetString(JsonMarshal.GetRawUtf8Value(element))} is outside the range of a double");
        }

        return value;
    }

    /// <summary>
    /// True when the parser's raw bytes of a string (without its quotes) are already canonical: no escapes,
    /// so nothing can be escaped differently, and valid UTF-8 (the parser does not check strings without
    /// escapes).
    /// </summary>
    private static bool IsCanonicalAsIs(ReadOnlySpan<byte> unquoted) => !unquoted.Contains((byte)'\\') && Utf8.IsValid(unquoted);

    /// <summary>
    /// A member name that can be written and sorted by its raw bytes: canonical as is, and without a lead byte
    /// of U+E000..U+FFFF or of a supplementary character (0xEE and up), the only UTF-8 sequences whose byte
    /// order differs from the UTF-16 code unit order JCS sorts by.
    /// </summary>
    private static bool IsSortableAsIs(ReadOnlySpan<byte> name) => !name.ContainsAnyInRange((byte)0xEE, (byte)0xFF) && IsCanonicalAsIs(name);

    /// <summary>An integer literal of at most 15 digits: ECMAScript prints exactly these digits.</summary>
    private static bool IsSmallInteger(ReadOnlySpan<byte> raw)
    {
        var digits = raw.Length > 0 && raw[0] == (byte)'-' ? raw[1..] : raw;
        if (digits.Length is 0 or > 15 || digits.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
        {
            return false;
        }

        // "0" is canonical, "-0" is not (ECMAScript prints 0); no other literal starts with 0.
        return digits[0] != (byte)'0' || raw.Length == 1;
    }

    /// <summary>
    /// Writes an object straight from the parser's bytes when every member name is sortable as is (see
    /// <see cref="IsSortableAsIs"/>): no name needs a string.
    /// </summary>
    /// <returns>False, having written nothing, when a name needs the string path.</returns>
    private static bool TryWriteObjectRaw(JsonElement element, IBufferWriter<byte> output, string? exclude, JsonMemberOrder order)
    {
        var count = element.GetPropertyCount();
        if (count == 0)
        {
            output.Write("{}"u8);
            return true;
        }

        var members = ArrayPool<JsonProperty>.Shared.Rent(count);
        try
        {
            var n = 0;
            foreach (var property in element.EnumerateObject())
            {
                if (!IsSortableAsIs(JsonMarshal.GetRawUtf8PropertyName(property)))
                {
                    return false;
                }

                if (exclude is not null && property.NameEquals(exclude))
                {
                    continue;
                }

                if (order == JsonMemberOrder.JavaScript && property.NameEquals(ProtoMember))
                {
                    throw ProtoRefused();
                }

                members[n++] = property;
            }

            var sorted = members.AsSpan(0, n);
            if (order == JsonMemberOrder.JavaScript)
            {
                sorted.Sort(static (a, b) => CompareJavaScript(JsonMarshal.GetRawUtf8PropertyName(a), JsonMarshal.GetRawUtf8PropertyName(b)));
            }
            else
            {
                sorted.Sort(static (a, b) => JsonMarshal.GetRawUtf8PropertyName(a).SequenceCompareTo(JsonMarshal.GetRawUtf8PropertyName(b)));
            }

            output.Write("{"u8);
            for (var i = 0; i < sorted.Length; i++)
            {
                var name = JsonMarshal.GetRawUtf8PropertyName(sorted[i]);
                if (i > 0)
                {
                    if (name.SequenceEqual(JsonMarshal.GetRawUtf8PropertyName(sorted[i - 1])))
                    {
                        throw new FormatException($"duplicate member \"{sorted[i].Name}\"");
                    }

                    output.Write(","u8);
                }

                output.Write("\""u8);
                output.Write(name);
                output.Write("\":"u8);
                WriteElement(sorted[i].Value, output, null, order, rawFastPath: true);
            }

            output.Write("}"u8);
            return true;
        }
        finally
        {
            ArrayPool<JsonProperty>.Shared.Return(members, clearArray: true);
        }
    }

    private static void WriteObject(JsonElement element, IBufferWriter<byte> output, string? exclude, JsonMemberOrder order, bool rawFastPath)
    {
        var members = new List<KeyValuePair<string, JsonElement>>();
        foreach (var property in element.EnumerateObject())
        {
            var name = ReadName(property);
            if (exclude is not null && name == exclude)
            {
                continue;
            }

            if (order == JsonMemberOrder.JavaScript && name == ProtoMember)
            {
                throw ProtoRefused();
            }

            members.Add(new KeyValuePair<string, JsonElement>(name, property.Value));
        }

        // Ordinal string comparison in .NET compares UTF-16 code units, which is exactly JCS's order.
        if (order == JsonMemberOrder.JavaScript)
        {
            members.Sort(static (a, b) => CompareJavaScript(a.Key, b.Key));
        }
        else
        {
            members.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        }

        output.Write("{"u8);
        for (var i = 0; i < members.Count; i++)
        {
            if (i > 0)
            {
                if (string.Equals(members[i - 1].Key, members[i].Key, StringComparison.Ordinal))
                {
                    throw new FormatException($"duplicate member \"{members[i].Key}\"");
                }

                output.Write(","u8);
            }

            WriteString(members[i].Key, output);
            output.Write(":"u8);
            WriteElement(members[i].Value, output, null, order, rawFastPath);
        }

        output.Write("}"u8);
    }

    /// <summary>
    /// JavaScript's order of a key-sorted object's members (raw UTF-8 names, all sortable as is): array indices
    /// first by value, then the rest by code units. Array indices are ASCII digits, so their bytes are their chars.
    /// </summary>
    private static int CompareJavaScript(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        bool aIndex = IsArrayIndex(a), bIndex = IsArrayIndex(b);
        if (aIndex && bIndex)
        {
            // Canonical decimals without leading zeros: the shorter is the smaller, else digit by digit.
            return a.Length != b.Length ? a.Length.CompareTo(b.Length) : a.SequenceCompareTo(b);
        }

        return aIndex ? -1 : bIndex ? 1 : a.SequenceCompareTo(b);
    }

    /// <inheritdoc cref="CompareJavaScript(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>
    private static int CompareJavaScript(string a, string b)
    {
        bool aIndex = IsArrayIndex(a), bIndex = IsArrayIndex(b);
        if (aIndex && bIndex)
        {
            return a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);
        }

        return aIndex ? -1 : bIndex ? 1 : string.CompareOrdinal(a, b);
    }

    /// <summary>An ECMAScript array index: the canonical decimal form of an integer 0 … 4294967294 ("01", "-1", "1.5" are not).</summary>
    private static bool IsArrayIndex(ReadOnlySpan<byte> name)
    {
        if (name.Length is 0 or > 10 || name.ContainsAnyExceptInRange((byte)'0', (byte)'9') || (name[0] == (byte)'0' && name.Length > 1))
        {
            return false;
        }

        return name.Length < MaxArrayIndex.Length || name.SequenceCompareTo("4294967294"u8) <= 0;
    }

    /// <inheritdoc cref="IsArrayIndex(ReadOnlySpan{byte})"/>
    private static bool IsArrayIndex(ReadOnlySpan<char> name)
    {
        if (name.Length is 0 or > 10 || name.ContainsAnyExceptInRange('0', '9') || (name[0] == '0' && name.Length > 1))
        {
            return false;
        }

        return name.Length < MaxArrayIndex.Length || name.SequenceCompareTo(MaxArrayIndex) <= 0;
    }

    private static FormatException ProtoRefused() =>
        new($"a member named \"{ProtoMember}\", which the TypeScript SDK leaves out of what it signs (JSON.stringify does not see it): the member is not covered by the signature");

    /// <summary>Writes a JSON string with JCS escaping. Lone surrogates are written as U+FFFD.</summary>
    public static void WriteString(ReadOnlySpan<char> value, IBufferWriter<byte> output)
    {
        // Worst case per char: 6 bytes (\u00XX) or 3 UTF-8 bytes; quotes add 2.
        var span = output.GetSpan((value.Length * 6) + 2);
        var n = 0;
        span[n++] = (byte)'"';
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c is >= ' ' and < '\u007f' and not ('"' or '\\'))
            {
                // Runs of printable ASCII (hashes, ids, most names) are narrowed to bytes vectorized.
                var run = value[i..].IndexOfAnyExcept(s_verbatimAscii);
                var length = run < 0 ? value.Length - i : run;
                Ascii.FromUtf16(value.Slice(i, length), span[n..], out var written);
                n += written;
                i += length - 1;
            }
            else if (c < 0x80)
            {
                switch (c)
                {
                    case '"':
                        span[n++] = (byte)'\\';
                        span[n++] = (byte)'"';
                        break;
                    case '\\':
                        span[n++] = (byte)'\\';
                        span[n++] = (byte)'\\';
                        break;
                    case '\b':
                        span[n++] = (byte)'\\';
                        span[n++] = (byte)'b';
                        break;
                    case '\f':
                        span[n++] = (byte)'\\';
                        span[n++] = (byte)'f';
                        break;
                    case '\n':
                        span[n++] = (byte)'\\';
                        span[n++] = (byte)'n';
                        break;
                    case '\r':
                        span[n++] = (byte)'\\';
                        span[n++] = (byte)'r';
                        break;
                    case '\t':
                        span[n++] = (byte)'\\';
                        span[n++] = (byte)'t';
                        break;
                    default:
                        if (c < 0x20)
                        {
                            span[n++] = (byte)'\\';
                            span[n++] = (byte)'u';
                            span[n++] = (byte)'0';
                            span[n++] = (byte)'0';
                            span[n++] = s_hex[c >> 4];
                            span[n++] = s_hex[c & 0xF];
                        }
                        else
                        {
                            span[n++] = (byte)c;
                        }

                        break;
                }
            }
            else if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                var rune = new Rune(c, value[i + 1]);
                n += rune.EncodeToUtf8(span[n..]);
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                n += Rune.ReplacementChar.EncodeToUtf8(span[n..]);
            }
            else
            {
                n += new Rune(c).EncodeToUtf8(span[n..]);
            }
        }

        span[n++] = (byte)'"';
        output.Advance(n);
    }

    /// <summary>Writes an integer the way ECMAScript prints it (exact below 2^53).</summary>
    public static void WriteInteger(long value, IBufferWriter<byte> output)
    {
        var span = output.GetSpan(20);
        value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
        output.Advance(written);
    }

    /// <summary>Writes a number in ECMAScript's Number.prototype.toString form (RFC 8785 section 3.2.2.3).</summary>
    /// <exception cref="FormatException">NaN or an infinity, which JSON cannot represent.</exception>
    public static void WriteNumber(double value, IBufferWriter<byte> output)
    {
        var span = output.GetSpan(32);
        var n = FormatNumber(value, span);
        output.Advance(n);
    }

    /// <summary>Formats a number as ECMAScript does into <paramref name="destination"/> (at least 32 bytes).</summary>
    internal static int FormatNumber(double value, Span<byte> destination)
    {
        if (!double.IsFinite(value))
        {
            throw new FormatException("NaN and infinities cannot be represented in JSON.");
        }

        if (value == 0)
        {
            destination[0] = (byte)'0'; // also -0
            return 1;
        }

        if (Math.Abs(value) < 9007199254740992d && value == Math.Floor(value))
        {
            ((long)value).TryFormat(destination, out var w, default, CultureInfo.InvariantCulture);
            return w;
        }

        // "R" is the shortest round-trip representation on .NET Core 3.0+; re-lay its digits out the
        // way ECMAScript does (RFC 8785 relies on the same shortest-digits algorithm).
        Span<char> r = stackalloc char[32];
        value.TryFormat(r, out var rl, "R", CultureInfo.InvariantCulture);
        r = r[..rl];
        var pos = 0;
        var negative = false;
        if (r[0] == '-')
        {
            negative = true;
            r = r[1..];
        }

        Span<char> digits = stackalloc char[24];
        var k = 0;
        var pointIndex = -1;
        var exponent = 0;
        var i = 0;
        for (; i < r.Length; i++)
        {
            var c = r[i];
            if (c == '.')
            {
                pointIndex = k;
            }
            else if (c is 'E' or 'e')
            {
                exponent = int.Parse(r[(i + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                break;
            }
            else
            {
                digits[k++] = c;
            }
        }

        if (pointIndex < 0)
        {
            pointIndex = k;
        }

        // Strip leading zeros (e.g. "0.001") and trailing zeros; n is the decimal point position.
        var start = 0;
        while (start < k - 1 && digits[start] == '0')
        {
            start++;
            pointIndex--;
        }

        var end = k;
        while (end > start + 1 && digits[end - 1] == '0')
        {
            end--;
        }

        var d = digits[start..end];
        k = d.Length;
        var nExp = pointIndex + exponent;

        if (negative)
        {
            destination[pos++] = (byte)'-';
        }

        if (k <= nExp && nExp <= 21)
        {
            foreach (var c in d)
            {
                destination[pos++] = (byte)c;
            }

            for (var z = 0; z < nExp - k; z++)
            {
                destination[pos++] = (byte)'0';
            }
        }
        else if (0 < nExp && nExp <= 21)
        {
            for (var j = 0; j < nExp; j++)
            {
                destination[pos++] = (byte)d[j];
            }

            destination[pos++] = (byte)'.';
            for (var j = nExp; j < k; j++)
            {
                destination[pos++] = (byte)d[j];
            }
        }
        else if (-6 < nExp && nExp <= 0)
        {
            destination[pos++] = (byte)'0';
            destination[pos++] = (byte)'.';
            for (var z = 0; z < -nExp; z++)
            {
                destination[pos++] = (byte)'0';
            }

            foreach (var c in d)
            {
                destination[pos++] = (byte)c;
            }
        }
        else
        {
            destination[pos++] = (byte)d[0];
            if (k > 1)
            {
                destination[pos++] = (byte)'.';
                for (var j = 1; j < k; j++)
                {
                    destination[pos++] = (byte)d[j];
                }
            }

            destination[pos++] = (byte)'e';
            var e = nExp - 1;
            destination[pos++] = e < 0 ? (byte)'-' : (byte)'+';
            Math.Abs(e).TryFormat(destination[pos..], out var ew, default, CultureInfo.InvariantCulture);
            pos += ew;
        }

        return pos;
    }
}

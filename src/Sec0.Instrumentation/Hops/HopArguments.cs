using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Sec0.Audit;

namespace Sec0.Hops;

/// <summary>
/// The arguments of one escalated hop call, which its approval is bound to. Generated interceptors fill it only when
/// the decision escalated the call (<see cref="HopInvocation.IsEscalated"/>), so allowed calls never serialise or hash
/// their arguments.
/// </summary>
/// <remarks>
/// <para>
/// The canonical form is the one of MCP tool arguments: a JSON object of parameter name → value, canonicalised by
/// RFC 8785 (<see cref="JsonCanonicalizer"/>: members sorted by UTF-16 code units, no whitespace, ECMAScript numbers);
/// an approval covers the SHA-256 of its UTF-8 bytes. Each value is what <see cref="JsonSerializer"/> writes for it with
/// its default options and its run-time type (public properties by their declared names, enums as numbers).
/// </para>
/// <para>
/// Left out: <c>out</c> parameters (they carry no value into the call) and <see cref="CancellationToken"/>s. The receiver
/// of an instance hop is not an argument. A value that cannot be captured (a <c>ref struct</c> such as
/// <see cref="Span{T}"/>, a pointer) or that System.Text.Json cannot write (a cycle, a getter that throws, a
/// <see cref="double.NaN"/>, no metadata under Native AOT) is hashed as the marker
/// <c>{"sec0_not_hashed":"&lt;type&gt;"}</c>: an approval then covers any value of that parameter.
/// </para>
/// </remarks>
public sealed class HopArguments
{
    /// <summary>The member name of the marker that stands for a value that is not hashed.</summary>
    public const string NotHashedMember = "sec0_not_hashed";

    private static readonly JsonSerializerOptions s_options = new() { MaxDepth = 64 };
    private readonly List<KeyValuePair<string, byte[]>> _members = new(4);

    /// <summary>Adds a parameter's value, serialised at once (the call has not run, so this is the value it is called with).</summary>
    /// <param name="name">The parameter's name, without a leading <c>@</c>.</param>
    /// <param name="value">Its value.</param>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Reflection-based serialisation of arbitrary argument types is intended; a type it cannot write is hashed as the not-hashed marker.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "As above: under Native AOT without metadata the value is hashed as the not-hashed marker.")]
    public void Add<T>(string name, T value)
    {
        ArgumentNullException.ThrowIfNull(name);
        var type = value?.GetType() ?? typeof(T);
        byte[] canonical;
        try
        {
            canonical = JsonCanonicalizer.Canonicalize(JsonSerializer.SerializeToUtf8Bytes(value, type, s_options));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Anything the serialiser or the value's own getters throw: the escalation still binds every other argument.
            canonical = Marker(type.FullName ?? type.Name);
        }

        _members.Add(new(name, canonical));
    }

    /// <summary>Adds a parameter whose value cannot be captured (a <c>ref struct</c>, a pointer): hashed as the not-hashed marker.</summary>
    /// <param name="name">The parameter's name.</param>
    /// <param name="type">Its type, as it is named in the marker.</param>
    public void AddNotHashed(string name, string type)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(type);
        _members.Add(new(name, Marker(type)));
    }

    /// <summary>The canonical JSON of the arguments: <c>{}</c> when there are none.</summary>
    /// <exception cref="InvalidOperationException">Two arguments have one name (generated code never adds one twice).</exception>
    public byte[] ToCanonicalJson()
    {
        var members = _members.ToArray();
        Array.Sort(members, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var output = new ArrayBufferWriter<byte>(256);
        output.Write("{"u8);
        for (var i = 0; i < members.Length; i++)
        {
            if (i > 0)
            {
                if (string.Equals(members[i - 1].Key, members[i].Key, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"[sec0] Hop argument \"{members[i].Key}\" was added twice.");
                }

                output.Write(","u8);
            }

            JsonCanonicalizer.WriteString(members[i].Key, output);
            output.Write(":"u8);
            output.Write(members[i].Value);
        }

        output.Write("}"u8);
        return output.WrittenSpan.ToArray();
    }

    private static byte[] Marker(string type)
    {
        var output = new ArrayBufferWriter<byte>(64);
        output.Write("{"u8);
        JsonCanonicalizer.WriteString(NotHashedMember, output);
        output.Write(":"u8);
        JsonCanonicalizer.WriteString(type, output);
        output.Write("}"u8);
        return output.WrittenSpan.ToArray();
    }
}

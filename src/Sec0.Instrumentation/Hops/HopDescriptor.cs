namespace Sec0.Hops;

/// <summary>
/// The compile-time identity of a hop method, emitted by the Sec0 source generator as a static field
/// per hop and passed to <see cref="HopRuntime.Begin"/> on every intercepted call.
/// </summary>
public sealed class HopDescriptor
{
    /// <summary>Creates a descriptor. Called by generated code.</summary>
    /// <param name="key">The hop key: <c>TypeName.MethodName</c> or the explicit <c>[Sec0Hop("key")]</c>.</param>
    /// <param name="expectedType">The type stated in <c>[Sec0Hop(Type = ...)]</c>, or <see cref="HopType.Unspecified"/>.</param>
    /// <param name="bodyHash">The compile-time body hash, <c>sha256:v1:&lt;hex&gt;</c>.</param>
    /// <param name="filePath">The source file that declares the hop method.</param>
    /// <param name="startLine">1-based first line of the method declaration.</param>
    /// <param name="endLine">1-based last line of the method declaration.</param>
    /// <param name="signature">The method's display signature.</param>
    public HopDescriptor(string key, HopType expectedType, string bodyHash, string filePath, int startLine, int endLine, string signature)
    {
        Key = key;
        ExpectedType = expectedType;
        BodyHash = bodyHash;
        FilePath = filePath;
        StartLine = startLine;
        EndLine = endLine;
        Signature = signature;
    }

    /// <summary>The hop key.</summary>
    public string Key { get; }

    /// <summary>The type the config entry must have, or <see cref="HopType.Unspecified"/>.</summary>
    public HopType ExpectedType { get; }

    /// <summary>The compile-time body hash (the SAST cache key).</summary>
    public string BodyHash { get; }

    /// <summary>The declaring source file.</summary>
    public string FilePath { get; }

    /// <summary>1-based first line of the declaration.</summary>
    public int StartLine { get; }

    /// <summary>1-based last line of the declaration.</summary>
    public int EndLine { get; }

    /// <summary>The method's display signature.</summary>
    public string Signature { get; }

    /// <summary>
    /// True when <paramref name="other"/> names the same hop, whichever assembly's descriptor object it is: the
    /// interceptor of a call into a referenced assembly holds its own copy of the descriptor the hop's guard holds.
    /// </summary>
    internal bool IsSameHop(HopDescriptor other)
        => ReferenceEquals(this, other)
            || (string.Equals(Key, other.Key, StringComparison.Ordinal) && string.Equals(Signature, other.Signature, StringComparison.Ordinal));

    /// <summary>Runtime state resolved once per descriptor (config entry, compiled decision inputs).</summary>
    internal object? ResolvedState;
}

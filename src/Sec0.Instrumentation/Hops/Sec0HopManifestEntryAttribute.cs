namespace Sec0.Hops;

/// <summary>
/// One entry of an assembly's hop manifest, emitted by the Sec0 source generator for every
/// <c>[Sec0Hop]</c> method (kind <c>hop</c>) and every <c>[McpServerTool]</c> method (kind <c>mcp_tool</c>)
/// the assembly declares. The runtime and <c>sec0 hops &lt;assembly&gt;</c> read it through reflection or
/// System.Reflection.Metadata; the generator of a referencing project reads the body hash from it.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true, Inherited = false)]
public sealed class Sec0HopManifestEntryAttribute : Attribute
{
    /// <summary>Creates a manifest entry. Called by generated code.</summary>
    /// <param name="kind"><c>hop</c> or <c>mcp_tool</c>.</param>
    /// <param name="key">The hop key, or the MCP tool name.</param>
    /// <param name="bodyHash">The compile-time body hash, <c>sha256:v1:&lt;hex&gt;</c>.</param>
    /// <param name="filePath">The source file that declares the method.</param>
    /// <param name="startLine">1-based first line of the method declaration.</param>
    /// <param name="endLine">1-based last line of the method declaration.</param>
    /// <param name="signature">The method's display signature.</param>
    /// <param name="expectedType">The type stated in <c>[Sec0Hop(Type = ...)]</c>, or <see cref="HopType.Unspecified"/>.</param>
    public Sec0HopManifestEntryAttribute(string kind, string key, string bodyHash, string filePath, int startLine, int endLine, string signature, HopType expectedType)
    {
        Kind = kind;
        Key = key;
        BodyHash = bodyHash;
        FilePath = filePath;
        StartLine = startLine;
        EndLine = endLine;
        Signature = signature;
        ExpectedType = expectedType;
    }

    /// <summary>The manifest entry kind for a <c>[Sec0Hop]</c> method.</summary>
    public const string HopKind = "hop";

    /// <summary>The manifest entry kind for an <c>[McpServerTool]</c> method.</summary>
    public const string McpToolKind = "mcp_tool";

    /// <summary><c>hop</c> or <c>mcp_tool</c>.</summary>
    public string Kind { get; }

    /// <summary>The hop key, or the MCP tool name.</summary>
    public string Key { get; }

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

    /// <summary>The type the config entry must have, or <see cref="HopType.Unspecified"/>.</summary>
    public HopType ExpectedType { get; }
}

namespace Sec0.Hops;

/// <summary>
/// One entry of an assembly's hop manifest as read by <see cref="HopManifestReader"/>: the values of one
/// <see cref="Sec0HopManifestEntryAttribute"/>, read from metadata without loading the assembly.
/// </summary>
/// <param name="Kind"><c>hop</c> or <c>mcp_tool</c>.</param>
/// <param name="Key">The hop key, or the MCP tool name.</param>
/// <param name="BodyHash">The compile-time body hash, <c>sha256:v1:&lt;hex&gt;</c>.</param>
/// <param name="FilePath">The source file that declares the method.</param>
/// <param name="StartLine">1-based first line of the method declaration.</param>
/// <param name="EndLine">1-based last line of the method declaration.</param>
/// <param name="Signature">The method's display signature.</param>
/// <param name="ExpectedType">The type stated in <c>[Sec0Hop(Type = ...)]</c>, or <see cref="HopType.Unspecified"/>.</param>
public sealed record HopManifestEntry(
    string Kind,
    string Key,
    string BodyHash,
    string FilePath,
    int StartLine,
    int EndLine,
    string Signature,
    HopType ExpectedType);

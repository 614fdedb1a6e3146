namespace Sec0.Scanning;

/// <summary>
/// What a SAST scanner is asked to scan (Sec0's <c>SastScanInfo</c>): one hop or tool handler, identified
/// by its compile-time body hash. <see cref="StartLine"/>/<see cref="EndLine"/> are a .NET addition: the
/// handler's span in <see cref="FilePath"/>, so a scanner that scans the whole file keeps only the
/// findings inside the handler.
/// </summary>
public sealed record SastScanInfo
{
    /// <summary><c>server</c>: the server (or app) name.</summary>
    public string Server { get; init; } = "";

    /// <summary><c>tool</c>: the tool name or hop key.</summary>
    public string Tool { get; init; } = "";

    /// <summary><c>handlerHash</c>: the compile-time body hash (<c>sha256:v1:...</c>), the verdict's cache key.</summary>
    public required string HandlerHash { get; init; }

    /// <summary><c>filePath</c>: the source file that declares the handler, if known.</summary>
    public string? FilePath { get; init; }

    /// <summary>1-based first line of the handler in <see cref="FilePath"/>; 0 when unknown.</summary>
    public int StartLine { get; init; }

    /// <summary>1-based last line of the handler in <see cref="FilePath"/>; 0 when unknown.</summary>
    public int EndLine { get; init; }

    /// <summary>
    /// <c>source</c>: the handler's source. When null, <see cref="SastVerdictCache"/> fills it from
    /// <see cref="FilePath"/> and the line span before the scanner runs (off the call path).
    /// </summary>
    public string? Source { get; init; }

    /// <summary><c>ruleset</c>: the policy's <c>sast.ruleset</c>, null for the scanner's default.</summary>
    public string? Ruleset { get; init; }

    /// <summary>True when <paramref name="line"/> (1-based) lies inside the handler's span, or the span is unknown.</summary>
    public bool Contains(int? line) => StartLine <= 0 || EndLine <= 0 || line is null || (line >= StartLine && line <= EndLine);
}

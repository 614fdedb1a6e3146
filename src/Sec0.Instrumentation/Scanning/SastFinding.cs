using System.Text.Json.Nodes;

namespace Sec0.Scanning;

/// <summary>A SAST finding (Sec0's <c>SastFinding</c>): <see cref="ScanFinding"/> plus its place in the source.</summary>
public sealed record SastFinding : ScanFinding
{
    /// <summary><c>file</c>: the source file, as the scanner reported it.</summary>
    public string? File { get; init; }

    /// <summary><c>startLine</c>: 1-based.</summary>
    public int? StartLine { get; init; }

    /// <summary><c>endLine</c>: 1-based, inclusive.</summary>
    public int? EndLine { get; init; }

    /// <summary><c>suggest</c>: a suggested fix.</summary>
    public string? Suggest { get; init; }

    /// <inheritdoc />
    protected override void AddFields(JsonObject json)
    {
        Add(json, "file", File);
        Add(json, "start_line", StartLine);
        Add(json, "end_line", EndLine);
        Add(json, "suggest", Suggest);
    }
}

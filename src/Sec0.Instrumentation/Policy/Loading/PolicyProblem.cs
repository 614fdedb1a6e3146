using System.Globalization;

namespace Sec0.Policy;

/// <summary>One problem found while validating a policy: where it is and what is wrong.</summary>
/// <param name="Path">The YAML path, e.g. <c>enforcement.deny_on[0]</c>; empty for the whole file.</param>
/// <param name="Line">1-based line, or 0 when the problem has no place in the file.</param>
/// <param name="Column">1-based column, or 0 when unknown.</param>
/// <param name="Message">What is wrong, without the path: <c>"foo" is not a known reason; expected one of: ...</c>.</param>
public sealed record PolicyProblem(string Path, int Line, int Column, string Message)
{
    /// <summary><c>path (line L): message</c>, the form <c>sec0 policy check</c> prints.</summary>
    public override string ToString()
    {
        var where = Path.Length == 0 ? "(policy)" : Path;
        return Line > 0
            ? $"{where} (line {Line.ToString(CultureInfo.InvariantCulture)}): {Message}"
            : $"{where}: {Message}";
    }
}

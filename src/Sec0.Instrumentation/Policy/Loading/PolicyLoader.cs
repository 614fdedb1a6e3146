using System.Security;
using Sec0.Config.Yaml;

namespace Sec0.Policy;

/// <summary>
/// Loads and validates a policy file (see docs/policy.md). Validation reports every problem at once, each
/// with its YAML path and line. Whatever the input holds, the only exception that leaves
/// <see cref="Load"/> and <see cref="Parse"/> is <see cref="Sec0PolicyException"/>.
/// </summary>
public static class PolicyLoader
{
    /// <summary>Policy files larger than this are rejected rather than read into memory.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>YAML nested deeper than this is rejected (the schema needs five levels).</summary>
    internal const int MaxNestingDepth = 64;

    /// <summary>Reads, parses and validates the policy file at <paramref name="path"/>.</summary>
    /// <param name="path">The file; relative paths resolve against the current directory. Relative <c>fs_allowlist</c> entries resolve against the file's folder.</param>
    /// <exception cref="Sec0PolicyException">The file is missing, unreadable, not valid YAML or not a valid policy.</exception>
    public static PolicyDocument Load(string path)
    {
        var fullPath = GetFullPath(path);
        string text;
        try
        {
            text = YamlTextFile.Read(
                fullPath,
                MaxFileBytes,
                () => Single(fullPath, $"policy file not found: {fullPath}"),
                (detail, inner) => Single(fullPath, detail, inner: inner));
        }
        catch (Sec0PolicyException)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw Single(fullPath, ex.Message, inner: ex);
        }

        return ParseCore(text, fullPath, Path.GetDirectoryName(fullPath) ?? Environment.CurrentDirectory);
    }

    /// <summary>
    /// Parses and validates policy text. Relative <c>fs_allowlist</c> entries resolve against the folder of
    /// <paramref name="sourceName"/> when it is an absolute path, else against the current directory.
    /// </summary>
    /// <param name="yaml">The YAML text.</param>
    /// <param name="sourceName">A file path or a name for messages (e.g. <c>control-plane</c>).</param>
    /// <exception cref="Sec0PolicyException">The text is not valid YAML or not a valid policy.</exception>
    public static PolicyDocument Parse(string yaml, string sourceName)
    {
        var name = string.IsNullOrWhiteSpace(sourceName) ? "(policy)" : sourceName;
        string baseDirectory;
        try
        {
            baseDirectory = Path.IsPathFullyQualified(name) ? Path.GetDirectoryName(name) ?? Environment.CurrentDirectory : Environment.CurrentDirectory;
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            baseDirectory = Environment.CurrentDirectory;
        }

        return ParseCore(yaml, name, baseDirectory);
    }

    private static PolicyDocument ParseCore(string yaml, string sourceName, string baseDirectory)
    {
        try
        {
            if (yaml is null)
            {
                throw Single(sourceName, "no YAML text was given");
            }

            var root = YamlDocumentParser.ParseSingleDocument(
                yaml,
                MaxNestingDepth,
                (line, column, message, inner) => Single(sourceName, message, line, column, inner),
                second => Single(sourceName, "the file holds more than one YAML document", Config.Yaml.YamlConfigReader.Line(second), Config.Yaml.YamlConfigReader.Column(second)));
            var builder = new PolicyModelBuilder(sourceName, baseDirectory);
            return builder.Build(root) ?? throw new Sec0PolicyException(sourceName, SortByPosition(builder.Problems));
        }
        catch (Sec0PolicyException)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Not a known failure (a bug, say): still only our exception type leaves the loader, with the cause kept.
            throw Single(sourceName, ex.Message, inner: ex);
        }
    }

    private static List<PolicyProblem> SortByPosition(IReadOnlyList<PolicyProblem> problems) =>
        [.. problems.Select((problem, index) => (problem, index))
            .OrderBy(pair => pair.problem.Line == 0 ? int.MaxValue : pair.problem.Line)
            .ThenBy(pair => pair.problem.Column)
            .ThenBy(pair => pair.index)
            .Select(pair => pair.problem)];

    private static string GetFullPath(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw Single(path ?? string.Empty, "the policy file path is empty");
        }

        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException or SecurityException)
        {
            throw Single(path, "the policy file path is not valid", inner: ex);
        }
    }

    private static Sec0PolicyException Single(string sourceName, string message, int line = 0, int column = 0, Exception? inner = null) =>
        new(sourceName, [new PolicyProblem(string.Empty, line, column, message)], inner);
}

namespace Sec0.Scanning;

/// <summary>
/// Which scanner executables may run. A bare name (<c>semgrep</c>) admits only that bare name, looked up
/// on PATH (<see cref="ScannerExecutable"/>); an absolute path admits only that exact path. So
/// <c>SEMGREP_BIN=/tmp/x/semgrep</c> is refused unless <c>/tmp/x/semgrep</c> itself is listed: an environment
/// variable alone can't make Sec0 run another program. Relative paths, as binary or entry, admit nothing: what
/// they name depends on the working directory.
/// </summary>
internal static class ScannerBinaryAllowlist
{
    /// <summary>True when <paramref name="binary"/> is admitted by <paramref name="allowed"/>.</summary>
    public static bool IsAllowed(string binary, IEnumerable<string> allowed)
    {
        var isName = IsBareName(binary);
        if (!isName && !Path.IsPathFullyQualified(binary))
        {
            return false;
        }

        var full = isName ? binary : Path.GetFullPath(binary);
        foreach (var entry in allowed)
        {
            if (string.IsNullOrWhiteSpace(entry))
            {
                continue;
            }

            if (isName ? IsBareName(entry) && string.Equals(entry, binary, StringComparison.Ordinal)
                       : Path.IsPathFullyQualified(entry) && string.Equals(Path.GetFullPath(entry), full, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The variable that sets a scanner's allowlist, as in Sec0's TypeScript SDK: <c>SEC0_SEMGREP_ALLOWED_BINS</c>, <c>SEC0_NUCLEI_ALLOWED_BINS</c>.</summary>
    public static string VariableFor(string kind) => $"SEC0_{kind.ToUpperInvariant()}_ALLOWED_BINS";

    /// <summary>
    /// Reads an allowlist variable with Sec0's TypeScript meaning: comma-separated, entries trimmed, blanks dropped; an
    /// entry without a folder part is a command name, one with a folder part a path. Null when the variable is unset or blank.
    /// </summary>
    /// <exception cref="ArgumentException">An entry is a relative path: the TypeScript SDK resolves it against the working
    /// directory, which this SDK refuses on purpose (what it names would depend on where the process starts).</exception>
    public static IList<string>? FromVariable(string? value, string variable)
    {
        var entries = (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (entries.Length == 0)
        {
            return null;
        }

        foreach (var entry in entries)
        {
            if (!IsBareName(entry) && !Path.IsPathFullyQualified(entry))
            {
                throw new ArgumentException(
                    $"[sec0] {variable} entry \"{entry}\" is a relative path; give a command name (looked up on PATH only) or an absolute path. This differs from Sec0's TypeScript SDK on purpose, which resolves it against the working directory; see docs/migrating-from-typescript.md",
                    nameof(value));
            }
        }

        return [.. entries];
    }

    /// <summary>True for a program name without any folder part (<c>semgrep</c>), which is looked up on PATH.</summary>
    internal static bool IsBareName(string value) => value.IndexOfAny(['/', '\\']) < 0;
}

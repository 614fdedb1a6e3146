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

    /// <summary>True for a program name without any folder part (<c>semgrep</c>), which is looked up on PATH.</summary>
    internal static bool IsBareName(string value) => value.IndexOfAny(['/', '\\']) < 0;
}

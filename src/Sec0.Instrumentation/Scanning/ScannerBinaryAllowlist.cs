namespace Sec0.Scanning;

/// <summary>
/// Which scanner executables may run. A bare name (<c>semgrep</c>) admits only that bare name, looked up
/// on PATH; a path admits only that exact full path. So <c>SEMGREP_BIN=/tmp/x/semgrep</c> is refused unless
/// <c>/tmp/x/semgrep</c> itself is listed: an environment variable alone can't make Sec0 run another program.
/// </summary>
internal static class ScannerBinaryAllowlist
{
    /// <summary>True when <paramref name="binary"/> is admitted by <paramref name="allowed"/>.</summary>
    public static bool IsAllowed(string binary, IEnumerable<string> allowed)
    {
        var isName = IsBareName(binary);
        var full = isName ? binary : Path.GetFullPath(binary);
        foreach (var entry in allowed)
        {
            if (string.IsNullOrWhiteSpace(entry))
            {
                continue;
            }

            if (isName ? IsBareName(entry) && string.Equals(entry, binary, StringComparison.Ordinal)
                       : !IsBareName(entry) && string.Equals(Path.GetFullPath(entry), full, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsBareName(string value) => value.IndexOfAny(['/', '\\']) < 0;
}

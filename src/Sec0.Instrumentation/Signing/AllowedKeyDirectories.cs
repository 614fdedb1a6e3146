namespace Sec0.Signing;

/// <summary>
/// The directories a local signing key may live in: <c>SEC0_SIGNER_KEY_DIRS</c> (comma-separated) or the
/// TypeScript SDK's defaults, each resolved to its real path.
/// </summary>
internal static class AllowedKeyDirectories
{
    /// <summary>The environment variable that replaces the default directories.</summary>
    public const string EnvironmentVariable = "SEC0_SIGNER_KEY_DIRS";

    /// <summary>The defaults, relative to the base directory.</summary>
    public static readonly IReadOnlyList<string> Defaults = [".sec0/keys", "keys", "config/keys", ".sec0/secrets", "secrets"];

    /// <summary>The allowed directories as real paths.</summary>
    public static IReadOnlyList<string> Resolve(string baseDirectory, Func<string, string?> environment)
    {
        string? configured = environment(EnvironmentVariable);
        IReadOnlyList<string> entries = configured is null
            ? Defaults
            : configured.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (entries.Count == 0)
        {
            // Set but empty behaves like unset rather than forbidding every key.
            entries = Defaults;
        }

        return entries.Select(entry => RealPath.Resolve(Path.GetFullPath(entry, baseDirectory))).ToArray();
    }

    /// <summary>True when <paramref name="realPath"/> lies strictly inside one of <paramref name="directories"/>.</summary>
    public static bool Contains(IReadOnlyList<string> directories, string realPath)
    {
        foreach (string directory in directories)
        {
            // The trailing separator keeps /keys2/x from counting as inside /keys.
            string prefix = Path.EndsInDirectorySeparator(directory) ? directory : directory + Path.DirectorySeparatorChar;
            if (realPath.Length > prefix.Length && realPath.StartsWith(prefix, RealPath.Comparison))
            {
                return true;
            }
        }

        return false;
    }
}

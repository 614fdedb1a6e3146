namespace Sec0.Config;

/// <summary>
/// Turns a path from the config file into an absolute path. Relative paths resolve against the config
/// file's folder (not the process's current directory), so the same file works wherever the app starts.
/// </summary>
internal static class ConfigPathResolver
{
    /// <summary>
    /// Resolves <paramref name="value"/>: <c>~</c> and <c>~/...</c> expand to the home directory, absolute
    /// paths stay as they are, anything else is taken relative to <paramref name="configDirectory"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The value is not a valid path (for example it holds a NUL).</exception>
    public static string Resolve(string value, string configDirectory, Func<string, string?> environment)
    {
        if (value == "~" || value.StartsWith("~/", StringComparison.Ordinal) || value.StartsWith("~\\", StringComparison.Ordinal))
        {
            var rest = value.Length > 2 ? value[2..] : string.Empty;
            return Path.GetFullPath(Path.Combine(HomeDirectory(environment), rest));
        }

        return Path.GetFullPath(value, configDirectory);
    }

    /// <summary>HOME, then USERPROFILE, then the operating system's user profile folder.</summary>
    private static string HomeDirectory(Func<string, string?> environment)
    {
        var home = environment("HOME");
        if (string.IsNullOrEmpty(home))
        {
            home = environment("USERPROFILE");
        }

        if (string.IsNullOrEmpty(home))
        {
            home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        }

        if (string.IsNullOrEmpty(home))
        {
            throw new ArgumentException("The home directory is unknown: set HOME.");
        }

        return home;
    }
}

namespace Sec0.Scanning;

/// <summary>
/// Turns a scanner binary setting into the one file that runs. A bare name (<c>semgrep</c>) is looked up in the
/// absolute folders of PATH only — never in the working directory or the application's folder, which .NET's own
/// lookup (and Windows' CreateProcess) search first, so a <c>./semgrep</c> planted there can't pass a scan. A path must
/// be absolute: a relative one would depend on the working directory. Either way the setting must be admitted by
/// <see cref="ScannerBinaryAllowlist"/>.
/// </summary>
internal static class ScannerExecutable
{
    /// <summary>What Windows searches when PATHEXT is not set.</summary>
    private const string DefaultPathExt = ".COM;.EXE;.BAT;.CMD";

    /// <summary>
    /// Why <paramref name="binary"/> can never name a program to run (empty, or a relative path); null when its form is fine.
    /// </summary>
    /// <param name="binary">The setting.</param>
    /// <param name="setting">Its name for the message, e.g. <c>SEMGREP_BIN</c>.</param>
    public static string? FormProblem(string? binary, string setting)
    {
        if (string.IsNullOrWhiteSpace(binary))
        {
            return $"[sec0] {setting} is empty; give a program name to look up on PATH (e.g. semgrep) or an absolute path.";
        }

        return ScannerBinaryAllowlist.IsBareName(binary) || Path.IsPathFullyQualified(binary)
            ? null
            : $"[sec0] {setting} \"{binary}\" is a relative path, which would depend on the working directory; give a bare name (looked up on PATH only) or an absolute path.";
    }

    /// <summary>Throws when the binary or an allowlist entry of a scanner's options is empty or a relative path.</summary>
    /// <param name="binary">The options' <c>Binary</c>.</param>
    /// <param name="allowed">The options' <c>AllowedBinaries</c>.</param>
    /// <param name="optionsType">The options type's name, for the message.</param>
    /// <param name="parameter">The constructor parameter, for the exception.</param>
    /// <exception cref="ArgumentException">Either is empty or relative.</exception>
    public static void ThrowOnBadForm(string binary, IEnumerable<string> allowed, string optionsType, string parameter)
    {
        ArgumentNullException.ThrowIfNull(allowed, parameter);
        var problem = FormProblem(binary, optionsType + ".Binary")
            ?? allowed.Select(entry => FormProblem(entry, optionsType + ".AllowedBinaries entry")).FirstOrDefault(p => p is not null);
        if (problem is not null)
        {
            throw new ArgumentException(problem, parameter);
        }
    }

    /// <summary>Resolves <paramref name="binary"/> to the absolute path of the file to run.</summary>
    /// <param name="binary">The binary setting: a bare name or an absolute path.</param>
    /// <param name="allowed">The allowlist it must be in.</param>
    /// <param name="kind">The scanner's name for messages (<c>semgrep</c>).</param>
    /// <param name="variable">The variable that sets it, for messages (<c>SEMGREP_BIN</c>).</param>
    /// <param name="path">The file to run.</param>
    /// <param name="error">Why nothing can run.</param>
    public static bool TryResolve(string binary, IEnumerable<string> allowed, string kind, string variable, out string path, out string error)
    {
        path = string.Empty;
        if (FormProblem(binary, $"{kind} binary") is { } problem)
        {
            error = problem;
            return false;
        }

        if (!ScannerBinaryAllowlist.IsAllowed(binary, allowed))
        {
            // Sec0's TypeScript texts, word for word, so searches find both SDKs.
            var list = ScannerBinaryAllowlist.IsBareName(binary) ? "allowed command list" : "allowed list";
            error = $"{kind} binary \"{binary}\" is not in {list}. Set {ScannerBinaryAllowlist.VariableFor(kind)} to permit it.";
            return false;
        }

        if (!ScannerBinaryAllowlist.IsBareName(binary))
        {
            path = binary;
            error = string.Empty;
            return true;
        }

        var windows = OperatingSystem.IsWindows();
        var found = FindIn(AbsoluteEntries(Environment.GetEnvironmentVariable("PATH"), windows), binary, windows, Environment.GetEnvironmentVariable("PATHEXT"));
        if (found is null)
        {
            error = $"{kind} binary \"{binary}\" was not found on PATH (only PATH's absolute folders are searched, never the working directory); install it there or set {variable} to its absolute path";
            return false;
        }

        path = found;
        error = string.Empty;
        return true;
    }

    /// <summary>
    /// The folders of a PATH value, in order, that are absolute: empty and relative entries (<c>.</c>, <c>bin</c>, on
    /// Windows also <c>C:bin</c> and <c>\bin</c>) are dropped, since they mean the working directory or drive.
    /// </summary>
    internal static IEnumerable<string> AbsoluteEntries(string? pathVariable, bool windows)
    {
        foreach (var rawEntry in (pathVariable ?? string.Empty).Split(windows ? ';' : ':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Windows PATH entries may be quoted ("C:\Program Files\Semgrep").
            var entry = windows ? rawEntry.Trim('"') : rawEntry;
            if (IsAbsolute(entry, windows))
            {
                yield return entry;
            }
        }
    }

    /// <summary>
    /// The first runnable file named <paramref name="name"/> in <paramref name="folders"/>, in order. On Windows a name
    /// without an extension is tried with each PATHEXT extension, as the shell does; elsewhere the file needs an execute bit.
    /// </summary>
    internal static string? FindIn(IEnumerable<string> folders, string name, bool windows, string? pathExt)
    {
        foreach (var folder in folders)
        {
            foreach (var candidate in CandidateNames(name, windows, pathExt))
            {
                var file = Path.Join(folder, candidate);
                if (IsRunnable(file, windows))
                {
                    return file;
                }
            }
        }

        return null;
    }

    /// <summary>The file names <paramref name="name"/> may have on disk: itself, or on Windows without an extension, with each PATHEXT extension.</summary>
    internal static IEnumerable<string> CandidateNames(string name, bool windows, string? pathExt)
    {
        if (!windows || Path.HasExtension(name))
        {
            return [name];
        }

        var extensions = (string.IsNullOrWhiteSpace(pathExt) ? DefaultPathExt : pathExt)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return extensions.Where(extension => extension.StartsWith('.')).Select(extension => name + extension);
    }

    private static bool IsAbsolute(string entry, bool windows) =>
        windows
            // C:\tools or \\server\share; "C:tools" and "\tools" depend on the current drive or folder.
            ? (entry.Length >= 3 && char.IsAsciiLetter(entry[0]) && entry[1] == ':' && entry[2] is '\\' or '/') || entry.StartsWith(@"\\", StringComparison.Ordinal)
            : entry.StartsWith('/');

    private static bool IsRunnable(string file, bool windows)
    {
        if (!File.Exists(file))
        {
            return false;
        }

        if (windows || OperatingSystem.IsWindows())
        {
            return true;
        }

        // Like execvp: a file nobody may execute is skipped and the search goes on.
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return (File.GetUnixFileMode(file) & anyExecute) != 0;
    }
}

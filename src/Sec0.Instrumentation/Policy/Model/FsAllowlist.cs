using System.Diagnostics.CodeAnalysis;

namespace Sec0.Policy;

/// <summary>
/// <c>security.fs_allowlist</c>: the folders a call may touch. Entries and checked paths are made absolute
/// and normalized (<see cref="Path.GetFullPath(string)"/>: <c>.</c> and <c>..</c> resolved), then a path is
/// allowed when it is an entry or lies below one on a separator boundary, so <c>/data/../etc</c> and
/// <c>/database</c> are not under <c>/data</c>. Names compare case-insensitively on Windows and macOS and
/// ordinally elsewhere. Symbolic links are not resolved (a decision does no I/O): pass real paths when
/// links matter.
/// </summary>
public sealed class FsAllowlist
{
    private static readonly StringComparison s_comparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    private readonly string[] _roots;

    private FsAllowlist(IReadOnlyList<string> entries, string[] roots)
    {
        Entries = entries;
        _roots = roots;
        Roots = Array.AsReadOnly(roots);
    }

    /// <summary>The entries as written.</summary>
    public IReadOnlyList<string> Entries { get; }

    /// <summary>The normalized absolute folders.</summary>
    public IReadOnlyList<string> Roots { get; }

    /// <summary>Parses entries; relative ones resolve against <paramref name="baseDirectory"/>.</summary>
    /// <exception cref="FormatException">An entry is not valid; the message says why.</exception>
    public static FsAllowlist Parse(string baseDirectory, params IEnumerable<string> entries)
    {
        var list = entries.ToArray();
        var roots = new string[list.Length];
        for (var index = 0; index < list.Length; index++)
        {
            roots[index] = TryNormalizeEntry(list[index], baseDirectory, out var root, out var error) ? root : throw new FormatException(error);
        }

        return new FsAllowlist(list, roots);
    }

    /// <summary>Builds an allowlist from entries already normalized by <see cref="TryNormalizeEntry"/>.</summary>
    internal static FsAllowlist FromRoots(IReadOnlyList<string> entries, IEnumerable<string> roots) => new(entries, roots.ToArray());

    /// <summary>Normalizes one entry; on failure <paramref name="error"/> says why.</summary>
    /// <param name="entry">A folder, absolute or relative; a trailing <c>/*</c> or <c>/**</c> means the same as none.</param>
    /// <param name="baseDirectory">The folder relative entries resolve against.</param>
    /// <param name="root">The normalized absolute folder.</param>
    /// <param name="error">Why the entry is not valid.</param>
    public static bool TryNormalizeEntry(string? entry, string baseDirectory, [NotNullWhen(true)] out string? root, [NotNullWhen(false)] out string? error)
    {
        root = null;
        var text = entry?.Trim() ?? string.Empty;
        if (text.Length == 0)
        {
            error = "a file system entry must not be empty";
            return false;
        }

        if (text.StartsWith('~'))
        {
            error = $"\"{text}\" starts with '~'; home folders are not expanded, write an absolute path";
            return false;
        }

        foreach (var suffix in (ReadOnlySpan<string>)["/**", "/*", "\\**", "\\*"])
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal))
            {
                text = text[..^(suffix.Length - 1)];
                break;
            }
        }

        if (text.Contains('*', StringComparison.Ordinal) || text.Contains('?', StringComparison.Ordinal))
        {
            error = $"\"{entry!.Trim()}\" has a wildcard that is not allowed; a folder may only end with /* or /**";
            return false;
        }

        if (!TryFullPath(text, baseDirectory, out root))
        {
            error = $"\"{entry!.Trim()}\" is not a valid path";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>True when <paramref name="path"/> is an entry or lies below one. Relative paths resolve against the current directory.</summary>
    public bool IsAllowed(string? path)
    {
        if (string.IsNullOrWhiteSpace(path) || _roots.Length == 0 || !TryFullPath(path, Environment.CurrentDirectory, out var full))
        {
            return false;
        }

        foreach (var root in _roots)
        {
            if (full.StartsWith(root, s_comparison)
                && (full.Length == root.Length || IsSeparator(full[root.Length]) || (root.Length > 0 && IsSeparator(root[^1]))))
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryFullPath(string path, string baseDirectory, [NotNullWhen(true)] out string? full)
    {
        full = null;
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            full = Path.GetFullPath(path, baseDirectory);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return false;
        }

        // Keep the root's separator ("/", "C:\") but drop any other trailing one, so prefixes compare on boundaries.
        var root = Path.GetPathRoot(full) ?? string.Empty;
        while (full.Length > root.Length && IsSeparator(full[^1]))
        {
            full = full[..^1];
        }

        return true;
    }

    private static bool IsSeparator(char c) => c == Path.DirectorySeparatorChar || c == Path.AltDirectorySeparatorChar;
}

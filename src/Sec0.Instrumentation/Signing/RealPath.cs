using System.Runtime.InteropServices;

namespace Sec0.Signing;

/// <summary>
/// Resolves a path to its real path, following symlinks in every component (libc <c>realpath</c> on
/// Linux and macOS), so a key path can be checked against allowed directories by where it really is.
/// </summary>
internal static partial class RealPath
{
    static RealPath() => NativeLibraryResolver.EnsureRegistered();

    /// <summary>How two real paths compare on this platform's usual file systems.</summary>
    public static StringComparison Comparison { get; } =
        OperatingSystem.IsLinux() || OperatingSystem.IsFreeBSD() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;

    /// <summary>
    /// The real path of <paramref name="fullPath"/> (absolute). When the path does not exist, the deepest
    /// existing ancestor is resolved and the missing components are appended, so a missing file still
    /// gets a location to check.
    /// </summary>
    public static string Resolve(string fullPath)
    {
        string existing = Path.TrimEndingDirectorySeparator(fullPath);
        string missing = string.Empty;
        while (true)
        {
            string? resolved = OperatingSystem.IsWindows() ? ResolveManaged(existing) : ResolveNative(existing);
            if (resolved is not null)
            {
                return missing.Length == 0 ? resolved : Path.Join(resolved, missing);
            }

            string? parent = Path.GetDirectoryName(existing);
            if (parent is null)
            {
                return fullPath;
            }

            string name = Path.GetFileName(existing);
            missing = missing.Length == 0 ? name : Path.Join(name, missing);
            existing = parent;
        }
    }

    private static string? ResolveNative(string path)
    {
        nint resolved = realpath(path, 0);
        if (resolved == 0)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            free(resolved);
        }
    }

    // Windows has no realpath; follow links component by component. Returns null when the path is missing.
    private static string? ResolveManaged(string path)
    {
        if (!Path.Exists(path))
        {
            return null;
        }

        string current = Path.GetPathRoot(path) ?? path;
        foreach (string segment in path[current.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Join(current, segment);
            FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            if (info.LinkTarget is not null)
            {
                current = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? current;
            }
        }

        return current;
    }

    [LibraryImport(NativeLibraryResolver.LibC, EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint realpath(string path, nint resolvedPath);

    [LibraryImport(NativeLibraryResolver.LibC, EntryPoint = "free")]
    private static partial void free(nint pointer);
}

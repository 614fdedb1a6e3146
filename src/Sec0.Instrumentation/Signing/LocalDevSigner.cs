using Microsoft.Extensions.Logging;

namespace Sec0.Signing;

/// <summary>
/// Loads the local signing key named by <c>controlPlane.localSignerPath</c> (or a <c>file://</c> keyRef).
/// The key must really be inside an allowed directory (<c>SEC0_SIGNER_KEY_DIRS</c>, or by default
/// <c>.sec0/keys</c>, <c>keys</c>, <c>config/keys</c>, <c>.sec0/secrets</c>, <c>secrets</c>): the check is made
/// on the real path, so <c>..</c> segments and symlinks cannot leave those directories. The key format is
/// detected (see docs/signing.md). A key file readable by group or others logs a warning.
/// </summary>
public static partial class LocalDevSigner
{
    private const string FileScheme = "file://";

    /// <summary>The environment variable listing allowed key directories, comma-separated.</summary>
    public const string KeyDirectoriesVariable = AllowedKeyDirectories.EnvironmentVariable;

    /// <summary>The allowed key directories when <c>SEC0_SIGNER_KEY_DIRS</c> is not set, relative to the base directory.</summary>
    public static IReadOnlyList<string> DefaultKeyDirectories => AllowedKeyDirectories.Defaults;

    /// <summary>
    /// Loads the signer for a <c>file://</c> keyRef: <c>file:///absolute/path</c>, or <c>file://relative/path</c>
    /// resolved against <paramref name="baseDirectory"/>. The path is taken literally (no percent-decoding).
    /// </summary>
    /// <param name="keyRef">The key reference.</param>
    /// <param name="baseDirectory">Directory for relative paths and relative allowed directories; defaults to the current directory.</param>
    /// <param name="logger">Receives the permissions warning; without one it goes to standard error.</param>
    /// <param name="environment">Reads environment variables (tests pass their own); defaults to the process environment.</param>
    /// <exception cref="Sec0SignerException">The keyRef is not file://, the path is outside the allowed directories,
    /// the file is missing or unreadable, or it holds no supported key.</exception>
    public static AuditSigner FromKeyRef(string keyRef, string? baseDirectory = null, ILogger? logger = null, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(keyRef);
        if (!keyRef.StartsWith(FileScheme, StringComparison.Ordinal) || keyRef.Length == FileScheme.Length)
        {
            throw SignerMessages.UnsupportedKeyRef(keyRef);
        }

        // "file:///abs" leaves "/abs"; "file://rel/key" leaves "rel/key".
        return FromFile(keyRef[FileScheme.Length..], baseDirectory, logger, environment);
    }

    /// <summary>Loads the signer for a key file path, with the same checks as <see cref="FromKeyRef"/>.</summary>
    /// <param name="path">Absolute, or relative to <paramref name="baseDirectory"/>.</param>
    /// <param name="baseDirectory">Directory for relative paths and relative allowed directories; defaults to the current directory.</param>
    /// <param name="logger">Receives the permissions warning; without one it goes to standard error.</param>
    /// <param name="environment">Reads environment variables (tests pass their own); defaults to the process environment.</param>
    /// <exception cref="Sec0SignerException">The path is outside the allowed directories, the file is missing or
    /// unreadable, or it holds no supported key.</exception>
    public static AuditSigner FromFile(string path, string? baseDirectory = null, ILogger? logger = null, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string baseDir = Path.GetFullPath(baseDirectory ?? Directory.GetCurrentDirectory());
        environment ??= Environment.GetEnvironmentVariable;

        string fullPath = Path.GetFullPath(path, baseDir);
        string realPath = RealPath.Resolve(fullPath);
        // Checked before existence so a refused path does not reveal whether a file exists there.
        if (!AllowedKeyDirectories.Contains(AllowedKeyDirectories.Resolve(baseDir, environment), realPath))
        {
            throw SignerMessages.OutsideAllowedDirectories(fullPath);
        }

        if (!File.Exists(realPath))
        {
            throw SignerMessages.KeyFileNotFound(fullPath);
        }

        WarnIfAccessibleByOthers(realPath, fullPath, logger);

        byte[] content;
        try
        {
            // Read from the checked real path, not the original one, so what was checked is what is read.
            content = File.ReadAllBytes(realPath);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw SignerMessages.KeyFileUnreadable(fullPath, exception);
        }

        try
        {
            return SigningKeyParser.Parse(content);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(content);
        }
    }

    private static void WarnIfAccessibleByOthers(string realPath, string displayPath, ILogger? logger)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        UnixFileMode mode = File.GetUnixFileMode(realPath);
        if ((mode & GroupOrOthers) == 0)
        {
            return;
        }

        string octalMode = Convert.ToString((int)mode & 0x1ff, 8).PadLeft(3, '0');
        if (logger is not null)
        {
            LogKeyFileAccessibleByOthers(logger, octalMode, displayPath);
        }
        else
        {
            Console.Error.WriteLine($"[sec0-signer] warning: signing key file is readable by group or others (mode {octalMode}). Fix: chmod 600 {displayPath}");
        }
    }

    [LoggerMessage(EventId = 7001, EventName = "SigningKeyFileAccessibleByOthers", Level = LogLevel.Warning,
        Message = "[sec0-signer] warning: signing key file is readable by group or others (mode {Mode}). Fix: chmod 600 {KeyPath}")]
    private static partial void LogKeyFileAccessibleByOthers(ILogger logger, string mode, string keyPath);
}
